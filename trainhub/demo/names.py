"""Fictional Chinese personal names, weighted towards the surnames common in Linxia."""
import random

# (surname, weight): 马 leads in a Hui autonomous prefecture; the rest are common in Gansu.
SURNAMES = (
    ("马", 24), ("王", 9), ("李", 7), ("张", 6), ("何", 4), ("韩", 4), ("妥", 2), ("汪", 3), ("孔", 2),
    ("赵", 3), ("杨", 4), ("刘", 3), ("陈", 3), ("周", 2), ("冶", 2), ("喇", 1), ("祁", 2), ("穆", 1),
    ("沙", 1), ("苏", 2), ("罗", 2), ("魏", 1), ("郭", 2), ("石", 1), ("高", 2), ("唐", 1), ("满", 1),
    ("哈", 1), ("虎", 1), ("黄", 1), ("吴", 1), ("徐", 1), ("孙", 1), ("胡", 1), ("朱", 1), ("宋", 1),
    ("丁", 1), ("白", 1), ("康", 1), ("牟", 1), ("鲁", 1), ("包", 1), ("金", 1), ("付", 1), ("田", 1),
)
MALE_CHARACTERS = "明建国伟军海强平文志永成斌龙刚杰涛鹏辉俊学福忠德有录祥林宏东亮波峰超磊浩宇飞玉春生勇华彪继兴"
FEMALE_CHARACTERS = "芳娟霞丽梅兰玲红燕静敏婷莉萍花秀英慧琴雪晶艳倩悦佳欣瑞琳洁蓉玉春晓小雅月桂菊凤娜"

_SURNAME_NAMES = [name for name, _weight in SURNAMES]
_SURNAME_WEIGHTS = [weight for _name, weight in SURNAMES]


def person_name(rng: random.Random, gender: str) -> str:
    """Return a surname and a one- or two-character given name."""
    characters = MALE_CHARACTERS if gender == "male" else FEMALE_CHARACTERS
    surname = rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]
    given = rng.choice(characters)
    if rng.random() < 0.62:
        given += rng.choice(characters)
    return surname + given
