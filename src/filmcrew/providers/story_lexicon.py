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
DEFAULT_SETTING = "river"

TIMES = {"en": ["DAWN", "DAY", "DUSK", "NIGHT"], "zh": ["黎明", "白天", "黄昏", "夜"], "fr": ["AUBE", "JOUR", "SOIR", "NUIT"]}
HEADING = {"en": ("EXT.", "INT."), "zh": ("EXT.", "INT."), "fr": ("EXT.", "INT.")}

NAMES = {
    "en": {"hero": ["MARA", "TOMAS", "LIN", "JONAH", "ISLA", "OWEN", "NADIA", "ELI", "RUTH", "KAI"],
           "ally": ["BEN", "ROSA", "OLD WEI", "HANNA", "SAUL", "PIP", "GRETA", "AMOS"],
           "kid": ["LILY", "SAM", "NELL", "TOBY", "MEI", "ARLO"],
           "foe": ["VOSS", "THE WARDEN", "SILAS", "MORROW", "THE STRANGER", "KESTREL"]},
    "zh": {"hero": ["阿水", "林舟", "小满", "石头", "秋月", "海生"], "ally": ["老周", "阿婆", "春生", "莲姐"],
           "kid": ["小豆", "妞妞", "阿福"], "foe": ["黑袍人", "郑老爷", "影子"]},
    "fr": {"hero": ["MARIE", "LUCAS", "ÉLISE", "THÉO", "JEANNE", "HUGO"], "ally": ["PAPI JO", "CAMILLE", "BASILE", "ROSE"],
           "kid": ["LOU", "NINA", "PAUL"], "foe": ["VAUTRIN", "LA COMTESSE", "L'ÉTRANGER"]},
}

FLAWS = {
    "en": [("pride", "refuses help from anyone"), ("fear", "runs before the fight begins"),
           ("stubbornness", "will not listen"), ("anger", "strikes before thinking"),
           ("guilt", "blames themself for an old loss"), ("distrust", "trusts no one")],
    "zh": [("骄傲", "不肯接受任何人的帮助"), ("恐惧", "总在战斗开始前逃跑"), ("固执", "听不进别人的话"), ("愧疚", "一直为过去的失去自责")],
    "fr": [("orgueil", "refuse toute aide"), ("peur", "fuit avant le combat"), ("entêtement", "n'écoute personne"),
           ("culpabilité", "se reproche une perte ancienne")],
}

GENRES = {
    "myth": ("god", "spirit", "dragon", "goddess", "demon", "magic", "curse", "神", "龙", "妖", "dieu", "esprit", "magie"),
    "scifi": ("robot", "AI", "space", "planet", "android", "future", "machine", "机器人", "未来", "robot", "futur"),
    "crime": ("detective", "murder", "thief", "heist", "police", "gang", "侦探", "小偷", "détective", "voleur"),
    "romance": ("love", "heart", "marry", "wedding", "爱", "婚", "amour", "mariage"),
}

MOODS = {
    "opening": "hopeful", "inciting": "ominous", "debate": "tense", "confront": "tense", "cost": "sad",
    "discovery": "mysterious", "training": "hopeful", "crisis": "sad", "climax": "epic", "resolution": "warm",
    "hook": "ominous", "journey": "hopeful", "betrayal": "tense",
}
