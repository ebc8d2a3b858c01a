"""Reading a premise: who the hero is, what they want, who stands in the way, where, and by when.

The offline story engine has no language model, so this is a small rule-based reader of one sentence in
English, French or Chinese. It finds:

- the hero: the sentence's subject ("a lighthouse keeper's daughter", "une boulangère", "一位面包师"), with
  the gender and age the words give (daughter, une, 奶奶; young, retired, 少年);
- the want: what follows "must / wants to / doit / veut / 必须 / 要" (or the verb itself: "hunts a thief"),
  kept with a possessive slot so the hero can say "my recipe" and the ally "your recipe";
- the thing: the object of the want ("the stolen recipe", "la lampe", "食谱");
- the opponent: "from a rival", "challenges the god of floods", "à une rivale", "从对手手中";
- the deadline: "before the festival", "by midnight", "avant l'hiver", "在节日前";
- the place: "in a neon city", "à l'hôpital", "在暴雨夜";
- other people the premise names ("her grandson", "son petit-fils", "孙女").

What it cannot find it leaves empty, and the engine invents it; it never replaces what it found. It is
rough (one sentence, common shapes), and says nothing about meaning: the model writer (`openai-chat`) is
the way to write well; this is what works with no model at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Premise:
    language: str
    text: str
    subject: str = ""        # as written, article dropped: "lighthouse keeper's daughter"
    role: str = ""           # the subject's head with its words: "lighthouse keeper's daughter"
    gender: str = ""         # "f", "m" or "" (unknown: the engine chooses)
    age: str = ""            # "child", "young", "adult", "elder" or ""
    want: str = ""           # the want, possessives as {poss}: "win back {poss} stolen recipe"
    thing: str = ""          # the want's object, definite: "the stolen recipe"
    foe: str = ""            # the opponent, definite: "the rival", "the god of floods"
    foe_desc: str = ""       # as the premise says it: "a thief who steals memories"
    before: str = ""         # "before the festival", "by midnight"
    deadline: str = ""       # "the festival", "the storm ships arrive"
    deadline_clause: bool = False
    place: str = ""          # "the neon city"
    others: list[str] = field(default_factory=list)  # other people: "grandson"
    problem: str = ""        # an event the hero suffers rather than chooses: "loses her voice"
    context: str = ""        # the situation around the want: "after her boss vanishes"


# -- English -----------------------------------------------------------------------------------------
EN_MODAL = re.compile(r"\b(must|has to|have to|needs to|need to|wants to|want to|tries to|try to|sets out to|"
                      r"decides to|hopes to|plans to|vows to|is determined to|is desperate to|dreams of|races to|"
                      r"struggles to|fights to|will)\s+", re.I)
EN_OPPOSE = {"challenges": "challenge", "fights": "fight", "battles": "battle", "defies": "defy", "confronts": "confront",
             "hunts": "hunt down", "chases": "catch", "outwits": "outwit", "duels": "duel", "tricks": "trick",
             "faces": "face", "races": "beat", "opposes": "stop", "pursues": "catch", "tracks": "track down",
             "follows": "follow", "takes on": "take on", "stands up to": "stand up to"}
EN_QUEST = {"seeks": "find", "searches for": "find", "looks for": "find", "investigates": "find out", "teaches": "teach",
            "builds": "build", "protects": "protect", "guards": "guard", "rescues": "rescue", "saves": "save",
            "steals": "steal", "delivers": "deliver", "opens": "open", "runs": "run", "plans": "plan", "trains": "train",
            "helps": "help", "restores": "restore", "repairs": "repair", "bakes": "bake", "cooks": "cook",
            "writes": "write", "sings": "sing", "organises": "organise", "organizes": "organize", "returns": "return",
            "escapes": "escape", "climbs": "climb", "crosses": "cross", "enters": "win", "competes in": "win",
            "tries": "try", "wants": "get", "needs": "get", "befriends": "befriend", "raises": "raise"}
EN_EVENT = {"loses": "get back", "forgets": "remember", "breaks": "mend", "inherits": "keep", "finds": "return",
            "discovers": "uncover", "meets": "win over", "falls in love with": "win the heart of",
            "falls for": "win the heart of", "wakes up": "find out why", "receives": "answer", "is fired from": "win back"}
EN_PARTICLES = {"back", "up", "out", "off", "down", "away", "over", "in", "on"}
EN_STOPS = r"(?:from|before|by|until|to|for|in|at|on|with|against|without|despite|while|so|and|who|that|which|when|after|across|inside|during|because|if|of)"
EN_POSS = {"his": "{poss}", "her": "{poss}", "their": "{poss}"}
EN_FEMALE = set("""daughter mother grandmother girl woman queen princess witch sister wife nun actress waitress heroine
    lady aunt bride widow niece granddaughter goddess empress duchess mum mom grandma she her herself businesswoman
    policewoman fisherwoman stewardess hostess""".split())
EN_MALE = set("""son father grandfather boy man king prince brother husband monk actor waiter hero lord uncle groom
    widower nephew grandson god emperor duke dad grandpa he his himself businessman policeman fisherman""".split())
EN_PEOPLE = set("""rival thief boss friend neighbour neighbor stranger enemy landlord mayor partner colleague teacher student
    master apprentice detective doctor nurse sheriff captain pirate soldier general villain witch wizard dragon god
    goddess spirit demon king queen prince princess emperor empress child children kid kids grandson granddaughter
    son daughter brother sister father mother husband wife twin cousin uncle aunt client customer critic judge
    inspector officer guard monster ghost giant troll fox wolf ogre robot android ai alien double impostor chef
    singer dancer magician baker keeper fisherman banker lawyer journalist editor director producer coach player
    champion grandmother grandfather grandma grandpa ex fiancé fiancée bride groom heir heiress owner manager rivals
    crew villagers people family tycoon developer investor sorcerer sorceress knight ranger hunter gang cult""".split())
EN_AGE = {"child": ("little", "child", "kid", "boy", "girl", "schoolgirl", "schoolboy", "orphan"),
          "young": ("young", "teenage", "teen", "teenager", "student", "apprentice", "intern", "daughter", "son", "rookie"),
          "elder": ("old", "elderly", "retired", "aging", "ageing", "grandmother", "grandfather", "grandma", "grandpa",
                    "widow", "widower", "veteran")}
ABSTRACT = {"heart", "love", "day", "way", "life", "time", "mind", "chance", "truth", "it", "them", "everything"}
EN_ADJ_ARTICLE = re.compile(r"^(?:a|an|the|one|some)\s+", re.I)


def _en_definite(np: str) -> str:
    """"her stolen recipe" -> "the stolen recipe"; "a rival" -> "the rival"."""
    np = np.strip(" ,.")
    if not np:
        return ""
    first, _, rest = np.partition(" ")
    if first.lower() in ("a", "an", "the", "his", "her", "their", "its", "my", "our", "your", "some") and rest:
        return "the " + rest
    if first[:1].isupper() or first.lower().endswith("'s"):
        return np
    return "the " + np


def _en_head(np: str) -> str:
    words = re.findall(r"[\w'-]+", np.lower())
    return words[-1].removesuffix("'s") if words else ""


def _en_np(text: str) -> tuple[str, str]:
    """The noun phrase at the start of `text` (up to a preposition or clause) and what follows it; an "of"
    complement stays with its noun ("the god of floods")."""
    m = re.match(rf"^(.+?)(?=\s+{EN_STOPS}\b|[,;.]|$)(.*)$", text.strip(), re.I)
    if not m:
        return text.strip(), ""
    np, after = m.group(1).strip(), m.group(2).strip(" ,")
    om = re.match(rf"^of\s+((?:the\s+|a\s+|an\s+)?[\w'-]+(?:\s+(?!{EN_STOPS}\b)[\w'-]+)?)(.*)$", after, re.I)
    if om:
        np, after = f"{np} of {om.group(1)}", om.group(2).strip(" ,")
    return np, after


def _gender_age(words: list[str], p: Premise) -> None:
    low = [w.lower().removesuffix("'s") for w in words]
    head = low[-1] if low else ""
    if head in EN_FEMALE or head in FR_FEMALE:
        p.gender = "f"
    elif head in EN_MALE or head in FR_MALE:
        p.gender = "m"
    for age, keys in (*EN_AGE.items(), *FR_AGE.items()):
        if any(k in low for k in keys):
            p.age = age
            break


def parse_en(text: str) -> Premise:
    p = Premise("en", text)
    s = " ".join(text.strip().rstrip(".!").split())
    # the deadline: "before the festival", "by midnight", "until the storm ships arrive"
    m = re.search(r"(?:\s+the\s+(?:day|night|morning|week|hour|evening))?\s+\b(before|by|until|ahead of)\s+((?:the|a|an|her|his|their|midnight|dawn|sunrise|sunset|nightfall|"
                  r"noon|tomorrow|christmas|new year|[A-Z]\w+)\b.*?)(?=,|\s+(?:so|and then|while|or else|in order to)\b|$)", s)
    if m:
        p.before = f"{m.group(1)} {_en_definite(m.group(2)) if m.group(2).split()[0].lower() in ('a', 'an', 'his', 'her', 'their') else m.group(2)}"
        p.deadline = p.before.split(" ", 1)[1] if not p.before.startswith("ahead of") else m.group(2)
        words = p.deadline.split()
        p.deadline_clause = len(words) >= 3 and re.search(r"\b(arrive|arrives|come|comes|begin|begins|start|starts|"
                                                           r"open|opens|close|closes|end|ends|fall|falls|rise|rises|"
                                                           r"run|runs|hit|hits|leave|leaves|strike|strikes)\b",
                                                           p.deadline) is not None
        s = (s[:m.start()] + s[m.end():]).strip(" ,")
    # the place: the last "in/at/on/across the ..." with an article
    places = list(re.finditer(r"\b(in|at|on|across|inside|aboard)\s+((?:a|an|the|her|his|their)\s+[\w'-]+(?:\s+[\w'-]+){0,2}?)"
                              rf"(?=\s+(?:{EN_STOPS}|\w+ed)\b|,|$)", s))
    for pm in reversed(places):
        if _en_head(pm.group(2)) not in ("love", "time", "secret", "charge", "order", "way", "day", "life"):
            p.place = _en_definite(pm.group(2))
            s = (s[:pm.start()] + s[pm.end():]).strip(" ,")
            break
    # subject and want
    m = EN_MODAL.search(s)
    verb_kind = ""
    if m:
        subject, goal = s[:m.start()].strip(), s[m.end():].strip()
        if m.group(1).lower() == "dreams of":
            goal = re.sub(r"^(\w+)ing\b", r"\1", goal)
    else:
        subject, goal = s, ""
        verbs = sorted({**EN_OPPOSE, **EN_QUEST, **EN_EVENT}, key=len, reverse=True)
        vm = re.search(r"\s(" + "|".join(re.escape(v) for v in verbs) + r")\b", s)
        if vm is None:  # a third-person verb the lists miss: the first -s word after the subject's noun
            vm = re.search(r"(?<=\w)\s((?!\w+ss\b)[a-z]+s)\b(?=\s+(?:a|an|the|her|his|their|to|why|how|what|\w+)\b)", s[2:])
            if vm is not None:
                vm = re.search(r"\s(" + re.escape(vm.group(1)) + r")\b", s)
        if vm is not None:
            verb = vm.group(1).lower()
            subject, rest = s[:vm.start()].strip(), s[vm.end():].strip()
            if verb in EN_OPPOSE:
                verb_kind = "oppose"
                foe, after = _en_np(rest)
                if after[:4].lower() in ("who ", "that"):  # "a thief who steals memories": the clause describes the foe
                    after = _en_np(after.split(" ", 1)[1])[1]
                    p.foe_desc = f"{foe} {rest[len(foe):].split(' to ')[0].strip()}"
                p.foe_desc = p.foe_desc.strip() or foe
                p.foe = _en_definite(foe)
                tm = re.search(r"\bto\s+(.+)$", after)
                goal = tm.group(1) if tm else f"{EN_OPPOSE[verb]} {p.foe_desc}"
            elif verb in EN_EVENT:
                verb_kind = "event"
                p.problem = f"{verb} {rest}".strip()
                goal = f"{EN_EVENT[verb]} {rest}".strip()
            else:
                verb_kind = "quest"
                base = EN_QUEST.get(verb) or (verb[:-2] if verb.endswith(("ches", "shes", "sses", "xes")) else
                                              verb[:-3] + "y" if verb.endswith("ies") else verb[:-1])
                goal = f"{base} {rest}".strip()
    subject = EN_ADJ_ARTICLE.sub("", subject).strip(" ,")
    p.subject = p.role = subject
    _gender_age(subject.split(), p)
    # the want, with possessives as a slot; the thing and the opponent inside it
    goal = goal.strip(" ,")
    fm = re.search(r"\s*\b(?:from|against)\s+((?:a|an|the|her|his|their)\s+[\w' -]+?)(?=\s+" + EN_STOPS + r"\b|,|$)", goal)
    if fm and not p.foe:
        p.foe_desc = fm.group(1)
        p.foe = _en_definite(fm.group(1))
        goal = (goal[:fm.start()] + goal[fm.end():]).strip()
    am = re.search(r"\s*\b(after|when|because|while|as)\s+(.+)$", goal)
    if am:  # "after her boss vanishes", "while competing for a wedding contract": the situation, not the want
        p.context = am.group(0).strip()
        goal = goal[:am.start()].strip()
        for w in re.findall(r"[\w'-]+", am.group(2).lower()):
            if w in EN_PEOPLE and w not in p.others:
                p.others.append(w)
    if verb_kind == "event" and "heart of" in goal:
        p.others.append(_en_head(goal))
    if not p.gender:
        owners = re.findall(r"\b(her|his)\b", goal + " " + subject, re.I)
        if owners:
            p.gender = "f" if owners[0].lower() == "her" else "m"
    p.want = " ".join(EN_POSS.get(w.lower(), w) for w in goal.split())
    words = goal.split()
    if words:
        i = 1 + (len(words) > 1 and words[1].lower() in EN_PARTICLES)
        rest = " ".join(words[i:])
        for _ in range(3):
            if not rest:
                break
            if rest.split()[0].lower() in ("why", "how", "what", "who", "where", "whether"):
                np = re.match(r"^((?:the|a|an|her|his|their)?\s*[\w'-]+(?:\s+(?!\w+ed\b)(?!" + EN_STOPS + r"\b)[\w'-]+)?)",
                              " ".join(rest.split()[1:])).group(1)
                p.thing = _en_definite(np) if len(np.split()) <= 4 else ""
                break
            np, after = _en_np(rest)
            if _en_head(np) in EN_PEOPLE and np.split()[0].lower() in ("her", "his", "their", "a", "an", "the"):
                p.others.append(_en_head(np))
                tm = re.match(r"^to\s+(\w+)\s+(.*)$", after)
                rest = tm.group(2) if tm else ""
                continue
            if np.lower() not in ("it", "them", "him", "her", "all", "everything", "home"):
                p.thing = _en_definite(np)
            break
    if _en_head(p.thing) in ABSTRACT or _en_head(p.thing) in p.others:
        p.thing = ""
    if not p.thing:  # "a thief who steals memories": the memories; "competing for a wedding contract"
        tm = re.search(r"\b(?:steals|stole|took|takes|for|with|about)\s+((?:a|an|the|her|his|their)\s+)?([\w'-]+(?:\s+[\w'-]+)?)\s*$",
                       p.foe_desc + " | " + p.context if p.context else p.foe_desc)
        if tm and _en_head(tm.group(2)) not in EN_PEOPLE:
            p.thing = _en_definite(("the " if not tm.group(1) else tm.group(1)) + tm.group(2))
    p.others = [o for o in dict.fromkeys(p.others) if o != _en_head(p.foe)]
    return p


# -- French ------------------------------------------------------------------------------------------
FR_MODAL = re.compile(r"\b(doit|doivent|veut|veulent|tente d'|tente de|essaie d'|essaie de|cherche à|décide d'|décide de|"
                      r"rêve d'|rêve de|espère|a juré de|s'efforce de|lutte pour|se bat pour|va|compte)\s*", re.I)
FR_OPPOSE = {"défie": "vaincre", "affronte": "vaincre", "combat": "vaincre", "traque": "arrêter", "pourchasse": "arrêter",
             "poursuit": "arrêter", "provoque": "vaincre", "brave": "vaincre"}
FR_EVENT = {"perd": "retrouver", "oublie": "se souvenir de", "tombe amoureux de": "conquérir",
            "tombe amoureuse de": "conquérir", "tombe amoureux du": "conquérir le", "tombe amoureuse du": "conquérir le",
            "hérite de": "garder", "hérite d'": "garder", "découvre": "comprendre", "rencontre": "conquérir"}
FR_QUEST = {"enquête sur": "élucider", "cherche": "trouver", "recherche": "retrouver", "protège": "protéger",
            "apprend": "apprendre", "enseigne": "enseigner", "construit": "construire", "sauve": "sauver",
            "livre": "livrer", "ouvre": "ouvrir", "prépare": "préparer", "organise": "organiser", "répare": "réparer",
            "aide": "aider", "élève": "élever", "vole": "voler", "escalade": "escalader", "traverse": "traverser",
            "rend": "rendre", "ramène": "ramener", "écrit": "écrire", "chante": "chanter"}
FR_POSS = {"son": "{poss_m}", "sa": "{poss_f}", "ses": "{poss_p}", "leur": "{poss_m}", "leurs": "{poss_p}"}
FR_FEMALE = set("""fille mère grand-mère femme reine princesse sorcière sœur soeur épouse religieuse actrice serveuse
    héroïne dame tante mariée veuve nièce petite-fille déesse impératrice duchesse maman mamie boulangère fleuriste-f
    commissaire-f ingénieure paysanne pêcheuse infirmière chanteuse danseuse avocate directrice institutrice étudiante
    stagiaire-f cheffe gardienne voleuse rivale patronne""".split())
FR_MALE = set("""fils père grand-père garçon homme roi prince frère mari moine acteur serveur héros seigneur oncle marié
    veuf neveu petit-fils dieu empereur duc papa papi boulanger pêcheur infirmier chanteur danseur avocat directeur
    instituteur étudiant chef gardien voleur rival patron chevalier magicien ingénieur""".split())
FR_PEOPLE = set("""rival rivale voleur voleuse patron patronne ami amie voisin voisine étranger étrangère ennemi ennemie
    propriétaire maire associé associée collègue professeur élève maître maîtresse apprenti apprentie détective médecin
    infirmière infirmier capitaine pirate soldat général sorcière sorcier dragon dieu déesse esprit démon roi reine
    prince princesse enfant enfants petit-fils petite-fille fils fille frère sœur père mère mari femme cousin cousine
    oncle tante client cliente critique juge inspecteur inspectrice gardien gardienne monstre fantôme géant robot
    chef cheffe chanteur chanteuse magicien boulanger boulangère pâtissier pâtissière fiancé fiancée héritier
    héritière commissaire chevalier fée ogre loup renard grand-mère grand-père""".split())
FR_AGE = {"child": ("petit", "petite", "enfant", "garçon", "fillette", "orphelin", "orpheline"),
          "young": ("jeune", "adolescent", "adolescente", "étudiant", "étudiante", "apprenti", "apprentie", "stagiaire",
                    "fille", "fils"),
          "elder": ("vieux", "vieille", "vieil", "retraité", "retraitée", "âgé", "âgée", "grand-mère", "grand-père",
                    "mamie", "papi", "veuve", "veuf")}
FR_STOPS = r"(?:à|au|aux|avant|pour|contre|dans|sur|sous|avec|sans|chez|pendant|depuis|qui|que|qu'|dont|afin|et|mais|quand|lorsque|d'en|par)"
FR_VOWEL = tuple("aeiouyhâàéèêëîïôöûüAEIOUYHÂÉÈ")


def _fr_definite(np: str) -> str:
    """"sa recette volée" -> "la recette volée"; "une rivale" -> "la rivale"; "son lapin" -> "le lapin"."""
    np = np.strip(" ,.")
    first, _, rest = np.partition(" ")
    low = first.lower()
    if "'" in first and low.split("'")[0] in ("l", "d", "s"):
        return "l'" + first.split("'", 1)[1] + (" " + rest if rest else "")
    if not rest:
        return np
    if low in ("une", "sa", "la", "ma", "ta", "cette"):
        art = "la "
    elif low in ("un", "son", "le", "mon", "ton", "ce", "cet"):
        art = "le "
    elif low in ("des", "ses", "les", "mes", "tes", "ces", "leurs"):
        art = "les "
    elif low == "leur":
        art = "le "
    else:
        return np
    if art in ("la ", "le ") and rest.startswith(FR_VOWEL):
        art = "l'"
    return art + rest


def _fr_np(text: str) -> tuple[str, str]:
    m = re.match(rf"^(.+?)(?=\s+{FR_STOPS}(?:\s|\b)|[,;.]|$)(.*)$", text.strip(), re.I)
    if not m:
        return text.strip(), ""
    np, after = m.group(1).strip(), m.group(2).strip(" ,")
    # "la recette des crêpes", "le réacteur de la station spatiale": a "de" complement stays with its noun
    while True:
        dm = re.match(r"^((?:de la|de l'|du|des|de|d')\s*[^\s,]+(?:\s+(?!" + FR_STOPS + r"\b)[a-zà-ÿ-]+(?:e|é|ée|és|ées|al|ale|aux|if|ive|ique|aire)\b)*)(.*)$", after, re.I)
        if not dm or re.match(r"^(?:de|d')\s*(?:[a-zà-ÿ]+er|[a-zà-ÿ]+ir|[a-zà-ÿ]+re)\b", after):
            break
        np, after = f"{np} {dm.group(1).strip()}".replace("' ", "'"), dm.group(2).strip(" ,")
    return np, after


def parse_fr(text: str) -> Premise:
    p = Premise("fr", text)
    s = " ".join(text.strip().rstrip(".!").replace("’", "'").split())
    m = re.search(r"\b(avant|d'ici|pour)\s+((?:la|le|l'|les|que|minuit|l'aube|noël|Noël|demain|[A-Z]\w+)\S*(?:\s+(?!pour\b|afin\b)[^,]+?)?)(?=,|\s+(?:afin|sinon)\b|$)", s)
    if m and not (m.group(1) == "pour" and not m.group(2).lower().startswith(("la fête", "le festival", "noël", "minuit"))):
        p.before = f"{m.group(1)} {m.group(2)}"
        p.deadline = m.group(2)
        p.deadline_clause = m.group(2).lower().startswith("que ")
        s = (s[:m.start()] + s[m.end():]).strip(" ,")
    places = list(re.finditer(r"\b(dans|à|au|chez)\s+((?:la|le|l'|les|une?|sa|son|ses)\s*[^\s,]+(?:\s+(?!" + FR_STOPS +
                              r"\b)[^\s,]+)*)(?=\s+" + FR_STOPS + r"\b|,|$)", s))
    for pm in reversed(places):
        head = pm.group(2).split()[-1].lower()
        if pm.group(1) in ("dans", "chez") or head in ("école", "hôpital", "musée", "gare", "port", "marché", "village",
                                                               "ville", "phare", "château", "palais", "bureau", "usine"):
            if head not in FR_PEOPLE:
                p.place = _fr_definite(pm.group(2)) if pm.group(1) != "au" else "le " + pm.group(2)
                s = (s[:pm.start()] + s[pm.end():]).strip(" ,")
                break
    m = FR_MODAL.search(s)
    if m:
        subject, goal = s[:m.start()].strip(), s[m.end():].strip()
    else:
        subject, goal = s, ""
        verbs = sorted({**FR_OPPOSE, **FR_EVENT, **FR_QUEST}, key=len, reverse=True)
        vm = re.search(r"\s(" + "|".join(re.escape(v) for v in verbs) + r")(?=\s|$)", s)
        if vm:
            verb = vm.group(1).lower()
            subject, rest = s[:vm.start()].strip(), s[vm.end():].strip()
            if verb in FR_OPPOSE:
                foe, after = _fr_np(rest)
                p.foe_desc, p.foe = foe, _fr_definite(foe)
                tm = re.search(r"\bpour\s+(.+)$", after)
                goal = tm.group(1) if tm else f"{FR_OPPOSE[verb]} {p.foe}"
            elif verb in FR_EVENT:
                p.problem = f"{verb} {rest}"
                goal = f"{FR_EVENT[verb]} {rest}".replace("de le ", "du ").replace("conquérir le le ", "conquérir le ")
            else:
                goal = f"{FR_QUEST[verb]} {rest}"
    subject = re.sub(r"^(?:une?|la|le|l'|les)\s*", "", subject, flags=re.I).strip(" ,")
    first = s.split()[0].lower() if s.split() else ""
    p.subject = p.role = subject
    _gender_age(re.findall(r"[\w'-]+", subject), p)
    if not p.gender and first in ("une", "la"):
        p.gender = "f"
    elif not p.gender and first in ("un", "le"):
        p.gender = "m"
    goal = goal.strip(" ,")
    fm = re.search(r"\b(?:à|contre)\s+((?:une?|la|le|l'|sa|son)\s*[^\s,]+(?:\s+[^\s,]+)?)(?=\s+" + FR_STOPS + r"\b|,|$)", goal)
    if fm and not p.foe and fm.group(1).split()[-1].lower().split("'")[-1] in FR_PEOPLE:
        p.foe_desc, p.foe = fm.group(1), _fr_definite(fm.group(1))
        goal = (goal[:fm.start()] + goal[fm.end():]).strip()
    am = re.search(r"\s*\b(pendant|après|lorsque|quand|alors que|tandis que)\s+(.+)$", goal)
    if am:  # "pendant les préparatifs d'un mariage": the situation, not the want
        p.context = am.group(0).strip()
        goal = goal[:am.start()].strip()
    p.want = " ".join(FR_POSS.get(w.lower(), w) for w in goal.split())
    words = goal.split()
    if words:
        i = 1
        if words[0].lower() in ("se", "s'") or (len(words) > 1 and words[0].lower() in ("apprendre", "enseigner") and
                                                words[1].lower() in ("à",)):
            i = 2
        rest = " ".join(words[i:])
        for _ in range(3):
            if not rest:
                break
            if rest.lower().startswith(("à ", "au ")):
                pm = re.match(r"^(?:à|au)\s+((?:son|sa|ses|un|une|la|le)?\s*[^\s]+)\s*(.*)$", rest)
                if pm and pm.group(1).split()[-1].lower() in FR_PEOPLE:
                    p.others.append(pm.group(1).split()[-1])
                    rest = pm.group(2)
                    continue
            pw = rest.split()
            if len(pw) > 2 and pw[0].lower() in ("son", "sa", "ses", "un", "une", "le", "la") and pw[1].lower() in FR_PEOPLE:
                p.others.append(pw[1])
                rest = re.sub(r"^(?:d'en face|d'à côté|du \S+|de \S+|d'\S+)\s*", "", " ".join(pw[2:]))
                continue
            np, after = _fr_np(rest)
            head = np.split()[-1].lower() if np.split() else ""
            if any(w.lower() in FR_PEOPLE for w in np.split()[1:3]) and np.split()[0].lower() in ("son", "sa", "ses", "un", "une", "le", "la"):
                p.others.append(np.split(None, 1)[-1])
                rest = after
                continue
            if np:
                p.thing = _fr_definite(np)
            break
    if not p.thing and p.context:
        cm = re.search(r"((?:les|la|le|l'|un|une|des)\s*[^\s]+(?:\s+(?:d'|de |du |des )\s*[^\s]+)?)\s*$", p.context)
        if cm:
            p.thing = _fr_definite(cm.group(1))
    return p


# -- Chinese -----------------------------------------------------------------------------------------
ZH_MODAL = re.compile(r"(必须|一定要|不得不|决心|决定|想要|试图|打算|要|想|得)")
ZH_OPPOSE = ("挑战", "对抗", "对决", "追捕", "追查", "迎战")
ZH_EVENT = {"爱上": "赢得", "弄丢": "找回", "丢了": "找回", "失去": "找回", "忘了": "想起", "继承": "守住"}
ZH_QUEST = ("调查", "寻找", "保护", "帮助", "教会", "修好", "守护", "拯救", "找回", "追回", "夺回", "救出", "找到", "送回",
            "点亮", "赢得", "赢回", "阻止", "查明", "揭开", "完成", "筹备", "赶到", "送到", "护送", "做出", "修复")
ZH_PEOPLE = ("对手", "小偷", "老板", "朋友", "邻居", "陌生人", "敌人", "房东", "村长", "同事", "老师", "学生", "师父", "徒弟",
             "侦探", "医生", "护士", "队长", "海盗", "将军", "女巫", "巫师", "龙", "神", "妖", "王", "皇", "孩子", "孙女", "孙子",
             "儿子", "女儿", "哥哥", "姐姐", "弟弟", "妹妹", "父亲", "母亲", "妈妈", "爸爸", "奶奶", "爷爷", "外婆", "外公",
             "丈夫", "妻子", "客人", "法官", "警察", "怪兽", "鬼", "机器人", "厨师", "歌手", "魔术师", "骑手", "剑客", "公主",
             "王子", "皇帝", "掌柜", "经理", "评委", "山妖", "狐妖", "河神", "海妖")
ZH_FEMALE = ("女", "奶奶", "外婆", "妈", "母", "姐", "妹", "姑", "婆", "妻", "公主", "娘", "嫂", "她")
ZH_MALE = ("男", "爷爷", "外公", "爸", "父", "哥", "弟", "叔", "伯", "夫", "王子", "少年", "小伙", "他", "公子", "师父")
ZH_MEASURE = re.compile(r"^(?:一|两|某)?(?:位|个|名|只|群)?")


def parse_zh(text: str) -> Premise:
    p = Premise("zh", text)
    s = re.sub(r"\s+", "", text.strip().rstrip("。.！!"))
    m = re.search(r"在?([^，,。在]{1,12}?)(?:之前|以前|前)(?=[^\u4e00-\u9fff]|[，,]|从|把|向|为|必|要|赶|找|救|修|教|夺|点|送|完|重|拿|[\u4e00-\u9fff])", s)
    if m and not m.group(1).endswith(("之", "以")):
        p.deadline = m.group(1)
        p.before = f"{m.group(1)}前"
        p.deadline_clause = bool(re.search(r"(来临|到来|开始|结束|耗尽|出发|抵达|关门|落下|升起|降临|开会)$", m.group(1)))
        s = (s[:m.start()] + s[m.end():])
    m = re.search(r"在([^，,。在]{2,8}?)(上|里|中|夜|下)", s) or re.search(r"在([^，,。在]{2,6}?)()(?=[\u4e00-\u9fff]{2})", s)
    if m and not re.search(r"(前|之前)$", m.group(1)):
        p.place = m.group(1) + ("夜" if m.group(2) == "夜" else "")
        s = s[:m.start()] + s[m.end():]
    fm = re.search(r"从(.{1,8}?)(?:手中|手里|那里|那儿|身边|家里)", s)
    if fm:
        p.foe = p.foe_desc = ZH_MEASURE.sub("", fm.group(1))
        s = s[:fm.start()] + s[fm.end():]
    mm = ZH_MODAL.search(s)
    verb_kind = ""
    if mm:
        subject, goal = s[:mm.start()], s[mm.end():]
    else:
        subject, goal = s, ""
        verbs = sorted((*ZH_OPPOSE, *ZH_EVENT, *ZH_QUEST), key=len, reverse=True)
        vm = re.search("|".join(verbs), s)
        if vm and vm.start() > 0:
            subject, verb, rest = s[:vm.start()], vm.group(0), s[vm.end():]
            rest = re.sub(r"^了", "", rest)
            if verb in ZH_OPPOSE:
                verb_kind = "oppose"
                fm2 = re.match(r"(.+?)(?:，|,|以|来|为了|去|好|救|保)(.*)$", rest)
                foe = fm2.group(1) if fm2 else rest
                p.foe = p.foe_desc = ZH_MEASURE.sub("", foe)
                goal = (fm2.group(2) if fm2 and fm2.group(2) else f"打败{p.foe}")
                goal = re.sub(r"^(?:为了|以|来|去)", "", goal)
            elif verb in ZH_EVENT:
                verb_kind = "event"
                p.problem = verb + rest
                goal = ZH_EVENT[verb] + ZH_MEASURE.sub("", rest) + ("的心" if verb == "爱上" else "")
                if verb == "爱上":
                    p.others.append(ZH_MEASURE.sub("", rest))
            else:
                verb_kind = "quest"
                goal = verb + rest
    subject = ZH_MEASURE.sub("", subject)
    subject = re.sub(r"^(?:个|位|名)", "", subject)
    p.subject = p.role = subject
    if any(k in subject for k in ZH_FEMALE) or "她" in goal:
        p.gender = "f"
    elif any(k in subject for k in ZH_MALE) or "他" in goal:
        p.gender = "m"
    if any(k in subject for k in ("少年", "少女", "年轻", "实习", "学生", "女儿", "儿子", "徒弟")):
        p.age = "young"
    elif any(k in subject for k in ("奶奶", "爷爷", "老", "退休", "外婆", "外公")):
        p.age = "elder"
    elif any(k in subject for k in ("小女孩", "小男孩", "孩子", "小孩")):
        p.age = "child"
    goal = re.sub(r"^(?:去|来|赶紧|重新)?", lambda m_: m_.group(0) if m_.group(0) == "重新" else "", goal)
    p.want = goal.replace("他的", "{poss}").replace("她的", "{poss}").replace("自己的", "{poss}")
    vm = re.match("(?:重新)?(" + "|".join(sorted((*ZH_QUEST, *ZH_EVENT.values(), "打败", "救", "找", "教", "修", "拿回", "送",
                                                  "点亮", "守住", "想起", "赢得"), key=len, reverse=True)) + ")", goal)
    rest = goal[vm.end():] if vm else ""
    for person in ZH_PEOPLE:
        if rest.startswith(person) and len(rest) > len(person) + 1:
            p.others.append(person)
            rest = rest[len(person):]
            rest = re.sub(r"^(?:包|做|学|唱|画|写)", "", rest) if vm and vm.group(1) == "教会" else rest
            break
    if verb_kind == "oppose":
        rest = ""
    rest = rest.split("为什么")[0].split("的心")[0] if "爱上" not in p.problem else ""
    if rest:
        thing = rest.split("的")[-1] if "的" in rest and len(rest.split("的")[-1]) >= 1 else rest
        p.thing = thing if len(thing) <= 8 else ""
    if "师父" in goal and "师父" not in p.others:
        p.others.append("师父")
    return p


def parse(text: str, language: str) -> Premise:
    return {"en": parse_en, "fr": parse_fr, "zh": parse_zh}.get(language, parse_en)(text)


__all__ = ["Premise", "parse"]
