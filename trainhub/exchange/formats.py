"""The exchange files' columns, and reading vocabulary values written in Chinese or English."""
from datetime import date

from flask_babel import force_locale

from trainhub import vocab
from trainhub.idnumber import make as make_id_number
from trainhub.spreadsheets import Column


def label_in(locale: str, text) -> str:
    with force_locale(locale):
        return str(text)


def vocabulary_lookup(vocabulary: dict) -> dict[str, str]:
    """Map each code and its Chinese and English labels (case-folded, spaces removed) to the code."""
    lookup = {}
    for code, text in vocabulary.items():
        for name in (code, label_in("en", text), label_in("zh_CN", text)):
            lookup["".join(name.split()).casefold()] = code
    return lookup


def chinese_choices(vocabulary: dict) -> tuple[str, ...]:
    return tuple(label_in("zh_CN", text) for text in vocabulary.values())


def school_columns() -> list[Column]:
    stage_columns = []
    for stage, (zh, en) in STAGE_HEADERS.items():
        stage_columns += [Column(f"{stage}_students", f"{zh}在校生数", f"{en} students", "int"),
                          Column(f"{stage}_classes", f"{zh}班数", f"{en} classes", "int")]
    return [
        Column("code", "学校代码", "School code", required=True, max_length=20,
               note="学校标识码，全国唯一 / The national school code, unique"),
        Column("name", "学校名称", "School name", required=True, max_length=120),
        Column("county", "所属县区", "County", required=True,
               note="县区代码（如 622921）或名称 / County code (e.g. 622921) or name"),
        Column("township", "乡镇", "Township", max_length=60),
        Column("locality", "城乡类别", "Locality", required=True, choices=chinese_choices(vocab.LOCALITIES)),
        Column("is_small_rural", "乡村小规模学校", "Small rural school", "bool", choices=("是", "否")),
        Column("is_boarding", "寄宿制学校", "Boarding school", "bool", choices=("是", "否")),
        Column("is_relocation_site", "易地扶贫搬迁安置点学校", "Relocation-site school", "bool", choices=("是", "否")),
        Column("is_teaching_point", "教学点", "Teaching point", "bool", choices=("是", "否")),
        *stage_columns,
        Column("lat", "纬度", "Latitude", "float"),
        Column("lon", "经度", "Longitude", "float"),
    ]


STAGE_HEADERS = {
    "kindergarten": ("幼儿园", "Kindergarten"),
    "primary": ("小学", "Primary"),
    "junior": ("初中", "Junior high"),
    "senior": ("高中", "Senior high"),
}

def school_example() -> dict:
    return {
        "code": "2162292101", "name": "临夏县示例小学", "county": "622921", "township": "尹集镇",
        "locality": label_in("zh_CN", vocab.LOCALITIES["rural"]), "is_small_rural": "否", "is_boarding": "是", "is_relocation_site": "否",
        "is_teaching_point": "否", "primary_students": 320, "primary_classes": 8, "lat": 35.49, "lon": 103.0,
    }


def teacher_columns() -> list[Column]:
    return [
        Column("name", "姓名", "Name", required=True, max_length=40),
        Column("id_number", "身份证号", "ID number", required=True,
               note="18位居民身份证号，请设为文本格式 / 18-character resident ID number, as text"),
        Column("birth_date", "出生日期", "Birth date", "date",
               note="可不填；填写时须与身份证号一致 / Optional; must agree with the ID number"),
        Column("gender", "性别", "Gender", choices=chinese_choices(vocab.GENDERS)),
        Column("school", "学校代码", "School code", required=True),
        Column("subject", "主教学科", "Subject", required=True,
               note="学科名称或代码，如 数学 / Mathematics / math"),
        Column("other_subjects", "兼教学科", "Other subjects", "list",
               note="多个学科用顿号分隔 / Separate several with 、 or ,"),
        Column("employment_type", "用工类型", "Employment type", choices=chinese_choices(vocab.EMPLOYMENT_TYPES),
               note="不填为在编 / Empty means regular"),
        Column("term_start", "服务期开始", "Term start", "date"),
        Column("term_end", "服务期结束", "Term end", "date"),
        Column("degree", "最高学历", "Degree", choices=chinese_choices(vocab.DEGREES)),
        Column("title", "职称", "Title", choices=chinese_choices(vocab.TITLES)),
        Column("key_teacher_level", "骨干教师", "Key teacher level", choices=chinese_choices(vocab.KEY_TEACHER_LEVELS)),
        Column("certificate_stages", "教师资格学段", "Certificate stages", "list",
               note="如 小学、初中 / e.g. Primary, Junior high"),
        Column("is_principal", "是否校长", "Principal", "bool", choices=("是", "否")),
        Column("is_homeroom_teacher", "是否班主任", "Homeroom teacher", "bool", choices=("是", "否")),
        Column("hire_date", "参加工作日期", "Hire date", "date"),
        Column("at_school_since", "到校日期", "At school since", "date"),
        Column("phone", "手机号", "Phone", max_length=20),
    ]


def teacher_example() -> dict:
    zh = lambda vocabulary, code: label_in("zh_CN", vocabulary[code])  # noqa: E731
    return {
        "name": "张明", "id_number": make_id_number("622921", date(1990, 5, 12), 21), "birth_date": "1990-05-12",
        "gender": zh(vocab.GENDERS, "male"), "school": "2162292101", "subject": "数学", "other_subjects": "科学",
        "employment_type": zh(vocab.EMPLOYMENT_TYPES, "regular"), "degree": zh(vocab.DEGREES, "bachelor"),
        "title": zh(vocab.TITLES, "intermediate"), "key_teacher_level": zh(vocab.KEY_TEACHER_LEVELS, "none"),
        "certificate_stages": zh(vocab.STAGES, "primary"),
        "is_principal": "否", "is_homeroom_teacher": "是", "hire_date": "2010-09-01", "at_school_since": "2015-09-01",
        "phone": "13800000000",
    }
