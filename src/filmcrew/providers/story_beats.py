"""Beat templates for the offline story engine (see story_lexicon for the notation)."""

BEATS = {"en": {}, "zh": {}, "fr": {}}

BEATS["en"]["opening"] = [
    """A wide 4 | Morning light over the {place}. {Hero}, a {role}, works alone, hands raw, eyes on the horizon.
H | One more day. One more chance to {goal}.
A close-up 3 | {kid} runs up, breathless, holding out {object}.
V | You promised you'd teach me. Today, you said.
H (gently) | Today I have work. Tomorrow.
V | You always say tomorrow.""",
    """A wide 4 | The {place} is quiet. {Hero} mends {object}, humming an old song.
F | You're up early again.
H | Someone has to {goal}. Nobody else will.
F | Or you just don't let anybody help.
A close-up 3 | {Hero} does not answer. The song stops.""",
    """A wide 4 | Children chase each other across the {place}. {Hero} watches from a distance, a {role} with nothing to prove and everything to lose.
V | Is it true what they say about you?
H | Depends what they say.
V | That you were the bravest one. Before.
A close-up 3 | {Hero}'s smile fades.""",
]
BEATS["en"]["inciting"] = [
    """A wide 4 | The sky darkens over the {place}. Thunder rolls. Far off, {threat}.
F (whispering) | That's not natural. That's {foe}.
H | Then {foe} has come for us.
A close-up 3 | {Hero} grips {object} until the knuckles turn white.
V | What do we do?""",
    """A wide 4 | A bell rings across the {place}. People run. In the distance, {threat}.
X (O.S.) | {Hero}. You have one day.
H | Show yourself!
A wide 3 | Nothing answers but the wind.
F | Everyone who stood up to {foe} is gone.""",
]
BEATS["en"]["debate"] = [
    """A medium 3 | {ally} slams the door of the {place} and stands against it.
F | You can't fight {foe_desc}. Nobody can.
H | Then I'll be the first.
F | This is your {flaw} talking. It's the same mistake as last time.
H (angry) | Don't.
A close-up 3 | A long silence. {ally} steps aside.""",
    """A medium 3 | {Hero} packs a bag by lamplight in the {place}.
V | Take me with you.
H | No. You stay where it's safe.
V | Nowhere is safe if you lose.
A close-up 3 | {Hero} looks at {kid} for a long moment, then ties {object} to the bag.""",
]
BEATS["en"]["confront"] = [
    """A wide 4 | {Hero} stands alone at the {place}. {foe} rises from the shadows, vast and calm.
X | A {role}. They sent a {role} to bargain with me.
H | Nobody sent me. I came to {goal}.
X (amused) | And what will you give me for it?
H | Nothing. I'm here to take it back.
A wide 3 | {foe} laughs. The ground shakes, and {Hero} is thrown into the dirt.""",
    """A wide 4 | The {place}. {foe} waits, as if expecting {Hero} all along.
X | You're late. The others came sooner.
H | Where are they?
X | Where everyone goes who {flaw_verb}.
A close-up 3 | {Hero} charges. One gesture from {foe}, and {Hero} falls.""",
]
BEATS["en"]["cost"] = [
    """A wide 4 | The {place} lies in ruins. {ally} is hurt, sitting against a wall.
H | This is my fault.
F | Yes. And it's also your chance.
H (quietly) | I don't know how to beat {foe}.
F | Then stop trying to beat it alone.""",
    """A medium 3 | {kid} sits in the {place}, crying, holding a broken {object}.
H | I'm sorry. I should have listened.
V | You never listen.
A close-up 3 | {Hero} kneels and takes the broken pieces, one by one.""",
]
BEATS["en"]["discovery"] = [
    """A medium 4 | In the {place}, {Hero} finds carvings on the old wall: {foe} bowing to a small figure holding {object}.
H | It was never strength. It was a promise.
F | What kind of promise?
H | The kind {foe} can't break.
A close-up 3 | {Hero}'s eyes light up for the first time.""",
    """A medium 4 | {kid} drags {Hero} through the {place}, pointing at the water's edge.
V | Look! When I sing, it listens.
H | Sing it again.
A wide 3 | The child sings. Far off, {threat} hesitates.""",
]
BEATS["en"]["training"] = [
    """A wide 4 | At the {place}, {ally} teaches {Hero} to stand still while the wind howls.
F | Again. Don't fight it. Listen.
H | I hate listening.
F | I know. That's why you lose.
A close-up 3 | {Hero} closes both eyes and breathes.""",
]
BEATS["en"]["journey"] = [
    """A wide 4 | {Hero} and {ally} cross the {place} under a heavy sky.
F | How far?
H | Far enough that nobody comes back.
F | Good thing I never liked coming back.
A close-up 3 | They share a tired smile and walk on.""",
]
BEATS["en"]["betrayal"] = [
    """A medium 4 | In the {place}, {ally} speaks in a low voice with a hooded messenger.
H | Who was that?
F | Someone who can help. If we give {foe} what it wants.
H (shouting) | We don't bargain!
F | Then we all drown in your pride.""",
]
BEATS["en"]["crisis"] = [
    """A wide 4 | Night at the {place}. {Hero} sits alone beside the fire, everything lost.
V (O.S.) | You said tomorrow.
A close-up 3 | {Hero} looks up. {kid} stands there, shivering.
H | I was wrong. About everything.
V | Then do it differently.
H | Together, then.""",
    """A wide 4 | The {place} is silent. {Hero} stares at {object}.
H | I always thought I had to do this alone.
F | You never did.
H | Then help me. Please.
A close-up 3 | {ally} nods and holds out a hand.""",
]
BEATS["en"]["climax"] = [
    """A wide 4 | At the {place}, the whole village stands behind {Hero}. {foe} towers over them.
X | You brought them all to die with you.
H | I brought them to remember. You made a promise here.
A close-up 3 | {Hero} raises {object}. It catches the light.
X (afraid) | Where did you find that?
H | Where you left it. Keep your promise, and go.
A wide 4 | {foe} wavers, shrinks, and at last bows its head. The storm breaks.""",
    """A wide 4 | The final stand at the {place}. {Hero} steps forward, unarmed.
X | No weapon?
H | I'm done fighting you. I'm here to {goal}.
X | That is not how this ends.
H | It is now.
A wide 4 | {Hero} offers {object}. {foe} hesitates, then takes it, and the darkness lifts.""",
]
BEATS["en"]["resolution"] = [
    """A wide 4 | Sunrise over the {place}. People rebuild, laughing.
V | Is it tomorrow yet?
H (smiling) | It's today. Come on. I'll teach you.
A wide 4 | {Hero} and {kid} walk toward the light together.""",
    """A wide 4 | Calm at the {place}. {ally} hands {Hero} a cup of tea.
F | You let us help.
H | Took me long enough.
A wide 3 | For the first time in years, {Hero} laughs.""",
]
BEATS["en"]["hook"] = [
    """A wide 3 | Later, at the {place}. Everything seems calm.
A close-up 3 | Then {object} begins to glow, and a voice whispers {Hero}'s name.
X (O.S.) | You have not won. You have only begun.""",
    """A close-up 3 | {kid} stares at the water in the {place}.
V | {Hero}... there's someone down there.
A wide 3 | Beneath the surface, a second pair of eyes opens.""",
    """A medium 3 | {ally} returns to the {place}, pale, holding a torn letter.
F | It's not over. {foe} was only the first.
H | Who sent this?
F | Someone who knows your name.""",
]

BEATS["zh"]["opening"] = [
    """A wide 4 | 清晨的{place}。{Hero}是一名{role}，独自干活，望着远方。
H | 又是一天。又一次机会去{goal}。
A close-up 3 | {kid}跑过来，手里举着{object}。
V | 你答应过今天教我的。
H | 今天要干活。明天吧。
V | 你总是说明天。""",
]
BEATS["zh"]["inciting"] = [
    """A wide 4 | {place}上空乌云密布，雷声滚滚。远处，{threat}。
F | 这不对劲。是{foe}。
H | 那么{foe}是冲我们来的。
A close-up 3 | {Hero}紧紧握住{object}。
V | 我们该怎么办？""",
]
BEATS["zh"]["debate"] = [
    """A medium 3 | {ally}挡在{place}门口。
F | 你打不过{foe_desc}。没有人能。
H | 那我就做第一个。
F | 这又是你的{flaw}在说话。
A close-up 3 | 长久的沉默。{ally}让开了路。""",
]
BEATS["zh"]["confront"] = [
    """A wide 4 | {Hero}独自站在{place}。{foe}从阴影中升起。
X | 一个{role}，也敢来跟我讨价还价？
H | 我不是来讨价还价的。我是来{goal}的。
X | 凭什么？
A wide 3 | {foe}一挥手，{Hero}被掀翻在地。""",
]
BEATS["zh"]["cost"] = [
    """A wide 4 | {place}一片狼藉。{ally}受了伤，靠墙坐着。
H | 都怪我。
F | 是。但这也是你的机会。
H | 我不知道怎么打败{foe}。
F | 那就别再一个人打。""",
]
BEATS["zh"]["discovery"] = [
    """A medium 4 | 在{place}，{Hero}发现墙上的古老刻画：{foe}向一个手持{object}的小人低头。
H | 原来靠的不是力气，是一个承诺。
F | 什么承诺？
H | 一个{foe}不能违背的承诺。""",
]
BEATS["zh"]["crisis"] = [
    """A wide 4 | 夜晚的{place}。{Hero}独自坐在火边，一无所有。
V | 你说过明天的。
H | 我错了。什么都错了。
V | 那就换一种做法。
H | 那就一起来。""",
]
BEATS["zh"]["climax"] = [
    """A wide 4 | 在{place}，全村人站在{Hero}身后。{foe}高高耸立。
X | 你带他们来陪你送死？
H | 我带他们来提醒你。你在这里许下过承诺。
A close-up 3 | {Hero}举起{object}，闪闪发光。
X | 你从哪里找到的？
H | 你丢下它的地方。守住你的承诺，离开吧。
A wide 4 | {foe}动摇了，终于低下了头。风暴散去。""",
]
BEATS["zh"]["resolution"] = [
    """A wide 4 | {place}的日出。人们一边重建，一边欢笑。
V | 到明天了吗？
H | 就是今天。来，我教你。
A wide 4 | {Hero}和{kid}一起走向阳光。""",
]
BEATS["zh"]["hook"] = [
    """A wide 3 | 稍后，{place}。一切看似平静。
A close-up 3 | 这时{object}开始发光，一个声音低声呼唤{Hero}的名字。
X | 你还没有赢。这才刚刚开始。""",
]

BEATS["fr"]["opening"] = [
    """A wide 4 | Le matin sur {place}. {Hero}, {role}, travaille seul, les yeux sur l'horizon.
H | Encore un jour. Encore une chance de {goal}.
A close-up 3 | {kid} arrive en courant, {object} à la main.
V | Tu avais promis de m'apprendre. Aujourd'hui, tu avais dit.
H | Aujourd'hui, je travaille. Demain.
V | Tu dis toujours demain.""",
]
BEATS["fr"]["inciting"] = [
    """A wide 4 | Le ciel s'assombrit sur {place}. Le tonnerre gronde. Au loin, {threat}.
F | Ce n'est pas naturel. C'est {foe}.
H | Alors {foe} est venu pour nous.
A close-up 3 | {Hero} serre {object} à s'en blanchir les doigts.
V | Qu'est-ce qu'on fait ?""",
]
BEATS["fr"]["debate"] = [
    """A medium 3 | {ally} bloque la porte.
F | Tu ne peux pas combattre {foe_desc}. Personne ne peut.
H | Alors je serai le premier.
F | C'est ton {flaw} qui parle. La même erreur que la dernière fois.
A close-up 3 | Un long silence. {ally} s'écarte.""",
]
BEATS["fr"]["confront"] = [
    """A wide 4 | {Hero} se tient seul sur {place}. {foe} surgit de l'ombre.
X | Un simple {role} vient marchander avec moi ?
H | Je ne marchande pas. Je viens {goal}.
X | Et avec quoi ?
A wide 3 | {foe} éclate de rire. La terre tremble et {Hero} tombe.""",
]
BEATS["fr"]["cost"] = [
    """A wide 4 | {place} est en ruines. {ally} est blessé, assis contre un mur.
H | C'est ma faute.
F | Oui. Et c'est aussi ta chance.
H | Je ne sais pas comment vaincre {foe}.
F | Alors arrête d'essayer seul.""",
]
BEATS["fr"]["discovery"] = [
    """A medium 4 | Sur un vieux mur, {Hero} découvre une gravure : {foe} s'incline devant une petite silhouette tenant {object}.
H | Ce n'était pas la force. C'était une promesse.
F | Quelle promesse ?
H | Une promesse que {foe} ne peut pas rompre.""",
]
BEATS["fr"]["crisis"] = [
    """A wide 4 | La nuit. {Hero} est assis seul près du feu, tout est perdu.
V | Tu avais dit demain.
H | Je me suis trompé. Sur tout.
V | Alors fais autrement.
H | Ensemble, alors.""",
]
BEATS["fr"]["climax"] = [
    """A wide 4 | Sur {place}, tout le village se tient derrière {Hero}. {foe} les domine.
X | Tu les as amenés mourir avec toi ?
H | Je les ai amenés pour que tu te souviennes. Tu as fait une promesse ici.
A close-up 3 | {Hero} lève {object}. Il brille dans la lumière.
X | Où as-tu trouvé ça ?
H | Là où tu l'as laissé. Tiens ta promesse, et pars.
A wide 4 | {foe} vacille, puis baisse enfin la tête. La tempête se brise.""",
]
BEATS["fr"]["resolution"] = [
    """A wide 4 | Le soleil se lève sur {place}. On reconstruit en riant.
V | C'est demain ?
H | C'est aujourd'hui. Viens. Je vais t'apprendre.
A wide 4 | {Hero} et {kid} marchent ensemble vers la lumière.""",
]
BEATS["fr"]["hook"] = [
    """A wide 3 | Plus tard, sur {place}. Tout semble calme.
A close-up 3 | Puis {object} se met à briller, et une voix murmure le nom de {Hero}.
X | Tu n'as pas gagné. Tout ne fait que commencer.""",
]
