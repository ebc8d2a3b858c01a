"""Words the offline story engine builds stories from: settings, names, flaws, beats.

Beat templates use a small notation, one element per line:
``A wide 4 | text`` an action (camera, seconds), ``H | text`` the hero speaks,
``X`` the antagonist, ``F`` the ally, ``V`` the vulnerable one; ``H (whispering) | text``
adds a parenthetical. Slots: {hero} {foe} {ally} {kid} {goal} {role} {foe_desc}
{place} {threat} {object} {flaw} {Hero} (the hero's name).
"""

SETTINGS = {
    # family: (keywords, exterior locations, interior locations) per language
    "river": (("river", "flood", "fisher", "boat", "rain", "dam", "河", "洪", "渔", "fleuve", "rivière", "crue", "pêcheur"),
              {"en": ["RIVERBANK", "FLOODED FIELDS", "VILLAGE SQUARE", "OLD DOCK"], "zh": ["河岸", "被淹的田野", "村口广场", "旧码头"],
               "fr": ["BERGE DU FLEUVE", "CHAMPS INONDÉS", "PLACE DU VILLAGE", "VIEUX PONTON"]},
              {"en": ["FISHERMAN'S HUT", "RIVER TEMPLE"], "zh": ["渔夫的小屋", "河神庙"], "fr": ["CABANE DU PÊCHEUR", "TEMPLE DU FLEUVE"]}),
    "sea": (("sea", "ocean", "island", "sail", "whale", "storm", "海", "岛", "mer", "océan", "île"),
            {"en": ["BEACH", "CLIFF ABOVE THE SEA", "HARBOUR", "LIGHTHOUSE POINT"], "zh": ["海滩", "海边悬崖", "港口", "灯塔岬角"],
             "fr": ["PLAGE", "FALAISE SUR LA MER", "PORT", "POINTE DU PHARE"]},
            {"en": ["LIGHTHOUSE", "HARBOUR TAVERN"], "zh": ["灯塔", "港口酒馆"], "fr": ["PHARE", "TAVERNE DU PORT"]}),
    "city": (("city", "detective", "robot", "company", "office", "street", "neon", "AI", "城市", "公司", "侦探", "ville", "bureau", "détective"),
             {"en": ["CITY STREET", "ROOFTOP", "NEON ALLEY", "TRAIN PLATFORM"], "zh": ["城市街道", "天台", "霓虹小巷", "地铁站台"],
              "fr": ["RUE DE LA VILLE", "TOIT", "RUELLE AU NÉON", "QUAI DE GARE"]},
             {"en": ["OFFICE", "SMALL APARTMENT"], "zh": ["办公室", "狭小的公寓"], "fr": ["BUREAU", "PETIT APPARTEMENT"]}),
    "mountain": (("mountain", "snow", "peak", "climb", "monk", "dragon", "山", "雪", "龙", "montagne", "neige", "dragon"),
                 {"en": ["MOUNTAIN PASS", "SNOWY PEAK", "PINE FOREST", "VILLAGE GATE"], "zh": ["山口", "雪峰", "松林", "村门"],
                  "fr": ["COL DE MONTAGNE", "SOMMET ENNEIGÉ", "FORÊT DE PINS", "PORTE DU VILLAGE"]},
                 {"en": ["MOUNTAIN TEMPLE", "STONE HUT"], "zh": ["山中寺庙", "石屋"], "fr": ["TEMPLE DE LA MONTAGNE", "CABANE DE PIERRE"]}),
    "forest": (("forest", "wolf", "witch", "spirit", "tree", "fox", "森林", "狐", "妖", "forêt", "loup", "sorcière"),
               {"en": ["DEEP FOREST", "FOREST CLEARING", "VILLAGE EDGE", "OLD BRIDGE"], "zh": ["密林深处", "林间空地", "村边", "古桥"],
                "fr": ["FORÊT PROFONDE", "CLAIRIÈRE", "LISIÈRE DU VILLAGE", "VIEUX PONT"]},
               {"en": ["WOODCUTTER'S HOUSE", "HOLLOW TREE"], "zh": ["樵夫的家", "空心树洞"], "fr": ["MAISON DU BÛCHERON", "ARBRE CREUX"]}),
    "palace": (("emperor", "king", "queen", "prince", "princess", "court", "throne", "皇", "王", "宫", "roi", "reine", "prince"),
               {"en": ["PALACE COURTYARD", "CITY WALLS", "MARKET STREET", "ROYAL GARDEN"], "zh": ["宫廷庭院", "城墙", "集市街", "御花园"],
                "fr": ["COUR DU PALAIS", "REMPARTS", "RUE DU MARCHÉ", "JARDIN ROYAL"]},
               {"en": ["THRONE HALL", "SERVANTS' QUARTERS"], "zh": ["大殿", "仆人房"], "fr": ["SALLE DU TRÔNE", "QUARTIERS DES SERVITEURS"]}),
}
SETTINGS["town"] = (("town", "shop", "bakery", "office", "school", "market", "festival", "street", "小镇", "店", "街", "学校",
                      "ville", "boutique", "école", "marché", "rue"),
                     {"en": ["TOWN SQUARE", "MARKET STREET", "BACK ALLEY", "BUS STOP"], "zh": ["镇上广场", "集市街", "后巷", "车站"],
                      "fr": ["PLACE DE LA VILLE", "RUE DU MARCHÉ", "RUELLE", "ARRÊT DE BUS"]},
                     {"en": ["KITCHEN", "STAIRWELL"], "zh": ["厨房", "楼梯间"], "fr": ["CUISINE", "CAGE D'ESCALIER"]})
DEFAULT_SETTING = "town"

TIMES = {"en": ["DAWN", "DAY", "DUSK", "NIGHT"], "zh": ["黎明", "白天", "黄昏", "夜"], "fr": ["AUBE", "JOUR", "SOIR", "NUIT"]}
HEADING = {"en": ("EXT.", "INT."), "zh": ("EXT.", "INT."), "fr": ("EXT.", "INT.")}

# invented names, by gender: the premise gives roles, never names
NAMES = {
    "en": {"f": ["MARA", "ISLA", "NADIA", "RUTH", "GRETA", "HANNA", "ROSA", "VERA", "ADA", "JUNE", "TESS", "LENA", "IRIS",
                 "MAUD", "NELL", "FREYA", "OLIVE", "PIA"],
           "m": ["TOMAS", "OWEN", "ELI", "KAI", "BEN", "SAUL", "AMOS", "SILAS", "HUGO", "FELIX", "ARLO", "JUDE", "OSCAR",
                 "RAFE", "LEO", "CASPER", "IVO", "NED"]},
    "zh": {"f": ["秋月", "小满", "莲姐", "阿梅", "春燕", "晓雯", "林霜", "苏禾", "小芸", "安宁", "唐蜜", "白露"],
           "m": ["阿水", "林舟", "石头", "海生", "老周", "春生", "阿福", "陈默", "高远", "周野", "小川", "方知"]},
    "fr": {"f": ["MARIE", "ÉLISE", "JEANNE", "CAMILLE", "ROSE", "NINA", "LOU", "MARGOT", "ADÈLE", "CLAIRE", "INÈS", "JULIE"],
           "m": ["LUCAS", "THÉO", "HUGO", "BASILE", "PAUL", "VAUTRIN", "GASPARD", "JULES", "ANTOINE", "MARCEL", "SIMON", "VICTOR"]},
}
FLAWS = {  # (the word the lines use, what it does): fr words masculine and vowel-first ("ton orgueil", "de l'orgueil")
    "en": [("pride", "refuses help from anyone"), ("stubbornness", "will not listen"), ("temper", "strikes before thinking"),
           ("distrust", "trusts no one"), ("impatience", "rushes in alone")],
    "zh": [("骄傲", "不肯接受任何人的帮助"), ("固执", "听不进别人的话"), ("逞强", "什么都要一个人扛"), ("冲动", "不想清楚就动手")],
    "fr": [("orgueil", "refuse toute aide"), ("entêtement", "n'écoute personne"), ("emportement", "frappe avant de réfléchir"),
           ("égoïsme", "veut tout faire seul")],
}
AIDS = {  # what the ally gives the hero in the plan, used in the climax
    "en": ["a brass whistle", "a hand-drawn map", "an old photograph", "a pocket torch", "a ball of red string", "a spare key"],
    "zh": ["一只铜哨", "一张手绘地图", "一张旧照片", "一支手电筒", "一团红线", "一把备用钥匙"],
    "fr": ["un sifflet de cuivre", "un plan dessiné à la main", "une vieille photo", "une lampe de poche", "une pelote de fil rouge",
           "une clé de secours"],
}
INVENTED = {  # what the engine invents when the premise is silent (it never replaces what the premise says)
    "role": {"en": "wanderer", "zh": "普通人", "fr": "voyageur"},
    "want": {"en": "keep {poss} promise", "zh": "守住{poss}承诺", "fr": "tenir {poss_f} promesse"},
    "thing": {"en": "the old ledger", "zh": "那本旧账簿", "fr": "le vieux registre"},
}
WORKPLACES = [  # (words in the hero's role, (en heading, en place), (zh), (fr heading, fr place)); interior
    (("baker", "bakery", "面包", "boulang", "pâtiss"), ("BAKERY", "the bakery"), ("面包店", "面包店"), ("BOULANGERIE", "la boulangerie")),
    (("lighthouse", "灯塔", "phare"), ("LIGHTHOUSE", "the lighthouse"), ("灯塔", "灯塔"), ("PHARE", "le phare")),
    (("fisher", "渔", "pêcheu"), ("FISHERMAN'S HUT", "the hut"), ("渔夫的小屋", "小屋"), ("CABANE DU PÊCHEUR", "la cabane")),
    (("detective", "侦探", "détective", "commissaire", "inspect"), ("DETECTIVE'S OFFICE", "the office"), ("侦探事务所", "事务所"),
     ("BUREAU DU COMMISSARIAT", "le bureau")),
    (("nurse", "doctor", "医生", "护士", "infirm", "médecin", "骑手"), ("HOSPITAL CORRIDOR", "the hospital"), ("医院走廊", "医院"),
     ("COULOIR DE L'HÔPITAL", "l'hôpital")),
    (("astronaut", "engineer", "宇航", "ingénieu", "astronaute"), ("STATION MODULE", "the station"), ("空间站舱室", "空间站"),
     ("MODULE DE LA STATION", "la station")),
    (("intern", "实习", "stagiaire", "clerk", "office"), ("OFFICE", "the office"), ("办公室", "办公室"), ("BUREAU", "le bureau")),
    (("magician", "魔术", "magicien"), ("THEATRE BACKSTAGE", "the theatre"), ("剧场后台", "剧场"), ("COULISSES DU THÉÂTRE", "le théâtre")),
    (("witch", "女巫", "sorcière"), ("WITCH'S COTTAGE", "the cottage"), ("女巫的小屋", "小屋"), ("CHAUMIÈRE DE LA SORCIÈRE", "la chaumière")),
    (("singer", "歌手", "chanteu"), ("CONCERT HALL", "the concert hall"), ("音乐厅", "音乐厅"), ("SALLE DE CONCERT", "la salle de concert")),
    (("florist", "花", "fleuriste"), ("FLOWER SHOP", "the flower shop"), ("花店", "花店"), ("BOUTIQUE DE FLEURS", "la boutique")),
    (("grandmother", "grandfather", "奶奶", "爷爷", "grand-mère", "grand-père"), ("KITCHEN", "the kitchen"), ("厨房", "厨房"),
     ("CUISINE", "la cuisine")),
    (("knight", "剑客", "chevalier"), ("CASTLE YARD", "the castle yard"), ("武馆", "武馆"), ("COUR DU CHÂTEAU", "la cour du château")),
    (("teacher", "教师", "老师", "professeur"), ("SCHOOL", "the school"), ("学校", "学校"), ("ÉCOLE", "l'école")),
]

GENRES = {
    "myth": ("god", "spirit", "dragon", "goddess", "demon", "magic", "curse", "神", "龙", "妖", "dieu", "esprit", "magie"),
    "scifi": ("robot", "AI", "space", "planet", "android", "future", "machine", "机器人", "未来", "robot", "futur"),
    "crime": ("detective", "murder", "thief", "heist", "police", "gang", "侦探", "小偷", "détective", "voleur"),
    "romance": ("love", "heart", "marry", "wedding", "爱", "婚", "amour", "mariage"),
}

MOODS = {
    "opening": "hopeful", "inciting": "ominous", "debate": "tense", "confront": "tense", "cost": "sad",
    "discovery": "mysterious", "training": "hopeful", "crisis": "sad", "climax": "epic", "resolution": "warm",
    "hook": "ominous", "journey": "hopeful", "betrayal": "tense", "respite": "warm",
}
