"""Linxia Hui Autonomous Prefecture, Gansu: its counties and townships (GB/T 2260 codes).

The counties, their codes and their townships are real; the schools built on them are not.
"""
from dataclasses import dataclass

PROVINCE = {"code": "620000", "name": "甘肃省", "name_en": "Gansu Province"}
PREFECTURE = {"code": "622900", "name": "临夏回族自治州", "name_en": "Linxia Hui Autonomous Prefecture"}


@dataclass(frozen=True)
class County:
    code: str
    name: str
    name_en: str
    short_name: str  # the name used in school names: "东乡县", not the full autonomous-county name
    is_key_aid_county: bool
    seat: str  # the township of the county seat
    townships: tuple[str, ...]  # the seat first
    lat: float  # the county seat
    lon: float
    schools: int  # how many schools the prefecture-scale demo builds here
    is_city: bool = False


COUNTIES = (
    County("622901", "临夏市", "Linxia City", "临夏市", False, "城郊镇",
           ("城郊镇", "枹罕镇", "南龙镇", "折桥镇", "八坊街道", "东关街道", "西关街道", "城南街道",
            "城北街道", "红园街道"),
           35.60, 103.21, 100, is_city=True),
    County("622921", "临夏县", "Linxia County", "临夏县", True, "韩集镇",
           ("韩集镇", "土桥镇", "马集镇", "莲花镇", "新集镇", "尹集镇", "刁祁镇", "北塬镇", "井沟东乡族乡",
            "掌子沟乡", "麻尼寺沟乡", "漠泥沟乡", "榆林乡", "桥寺乡", "先锋乡", "营滩乡", "河西乡",
            "南塬乡", "红台乡", "路盘乡", "安家坡乡", "黄泥湾乡", "坡头乡", "民主乡"),
           35.49, 102.99, 260),
    County("622922", "康乐县", "Kangle County", "康乐县", True, "附城镇",
           ("附城镇", "苏集镇", "胭脂镇", "景古镇", "莲麓镇", "虎关乡", "流川乡", "鸣鹿乡", "草滩乡",
            "八松乡", "八丹乡", "上湾乡", "五户乡", "白王乡", "康丰乡"),
           35.37, 103.71, 170),
    County("622923", "永靖县", "Yongjing County", "永靖县", False, "刘家峡镇",
           ("刘家峡镇", "盐锅峡镇", "太极镇", "西河镇", "三塬镇", "岘塬镇", "陈井镇", "川城镇", "王台镇",
            "红泉镇", "关山乡", "徐顶乡", "三条岘乡", "坪沟乡", "新寺乡", "小岭乡", "杨塔乡"),
           35.94, 103.32, 170),
    County("622924", "广河县", "Guanghe County", "广河县", True, "城关镇",
           ("城关镇", "三甲集镇", "祁家集镇", "庄窠集镇", "齐家镇", "买家巷镇", "阿力麻土东乡族乡",
            "官坊乡", "水泉乡"),
           35.48, 103.57, 150),
    County("622925", "和政县", "Hezheng County", "和政县", True, "城关镇",
           ("城关镇", "三十里铺镇", "马家堡镇", "买家集镇", "松鸣镇", "陈家集镇", "罗家集镇", "新庄乡",
            "梁家寺乡", "卜家庄乡", "达浪乡", "新营乡", "吊滩乡"),
           35.42, 103.35, 140),
    County("622926", "东乡族自治县", "Dongxiang Autonomous County", "东乡县", True, "锁南镇",
           ("锁南镇", "达板镇", "河滩镇", "那勒寺镇", "唐汪镇", "果园镇", "汪集镇", "龙泉镇", "考勒乡",
            "春台乡", "柳树乡", "东塬乡", "北岭乡", "高山乡", "关卜乡", "赵家乡", "沿岭乡", "百和乡",
            "车家湾乡", "大树乡", "董岭乡", "凤山乡", "坪庄乡", "五家乡"),
           35.66, 103.39, 300),
    County("622927", "积石山保安族东乡族撒拉族自治县",
           "Jishishan Bonan, Dongxiang and Salar Autonomous County", "积石山县", True, "吹麻滩镇",
           ("吹麻滩镇", "大河家镇", "居集镇", "癿藏镇", "刘集乡", "柳沟乡", "石塬乡", "关家川乡",
            "寨子沟乡", "胡林家乡", "小关乡", "铺川乡", "中咀岭乡", "安集乡", "徐扈家乡", "郭干乡",
            "银川乡"),
           35.72, 102.88, 210),
)

# The counties the small demo builds: the one with the demo accounts and a second for contrast.
SMALL_COUNTIES = ("622926", "622921")

# Where teachers born outside the prefecture come from (other Gansu districts).
OTHER_GANSU_AREAS = ("620102", "620104", "620502", "620503", "621102", "621121", "620602", "621202")

# Parts of village names: a lineage or landscape word and a landform.
VILLAGE_HEADS = (
    "马家", "王家", "张家", "何家", "韩家", "孔家", "妥家", "汪家", "赵家", "杨家", "祁家", "冶家",
    "喇家", "苏家", "陈家", "李家", "罗家", "魏家", "郭家", "石家", "阳洼", "阴洼", "红崖", "白土",
    "黑石", "大", "小", "上", "下", "中", "前", "后", "东", "西", "南", "北", "新", "古", "青", "红",
    "柳树", "杏树", "松树", "榆树", "沙", "草", "河", "泉", "水", "牙", "塔", "寺", "堡", "城",
)
VILLAGE_TAILS = (
    "庄", "湾", "坪", "塬", "沟", "岭", "川", "山", "滩", "坡", "咀", "河", "峡", "集", "寨", "台",
    "岔", "洼", "岘", "梁",
)
