"""Scene templates of the offline story engine, built from the premise's own parts.

One element per line: ``A wide 4 | text`` an action (camera, seconds); ``H | text`` the hero speaks, ``X`` the
opponent, ``F`` the ally, ``V`` the fourth character (the premise's other person, or the one the hero made a
promise to); ``H (quietly) | text`` adds a parenthetical, ``X (O.S.)`` speaks off screen.

Slots, all filled from the premise (or invented when the premise is silent, never replacing it):
{H} {X} {F} {V} the four names; {role} the hero's role ("baker"); {a_role} with its article; {want1} {want2}
{want3} the want as the hero, a friend and the narration say it ("win back my/your/her stolen recipe");
{thing} the want's object ("the stolen recipe"); {foe} how people call the opponent (a name, or "the god of
floods"); {foe_role} what the opponent is ("the rival"); {before} the deadline ("before the festival");
{deadline_now} the deadline arriving ("the festival begins"); {place} where it happens; {flaw} the hero's
flaw; {aid} what the ally gives the hero (set up in the plan; {the_aid} after it, used in the climax); {e} French feminine "e".

Rules the tests hold every template to: a line of dialogue of four words or more (eight characters in
Chinese) names at least one of the premise's parts ({role} {a_role} {want1} {want2} {want3} {thing}
{foe_role} {before} {deadline_now} {place}), so two stories of different premises never say the same line;
every set-up is paid off: the promise to {V} (opening) in the resolution, {aid} (plan) in the climax, the
flaw (plan) in the climax, each episode's hook (``hook`` variant k) by the next episode's ``return`` k.
"""

from __future__ import annotations

PREMISE_SLOTS = ("{role}", "{a_role}", "{want1}", "{want2}", "{want3}", "{thing}", "{thing_cap}", "{foe_role}", "{before}",
                 "{deadline_now}")

SCENES: dict[str, dict[str, list[str]]] = {"en": {}, "zh": {}, "fr": {}}

# ------------------------------------------------------------------------------------------------- English
EN = SCENES["en"]
EN["opening"] = [
    """A wide 4 | {Place}, first light. {H}, {a_role}, is already at work, one eye on the clock.
H | I have to {want1} {before}. There is no second try.
A close-up 3 | {V} watches from the doorway.
V | You said you'd show me how {a_role} does it.
H (gently) | I will. Right after I {want1}.
V | Swear it on {thing}.
H | Sworn.""",
    """A wide 4 | Rain on the windows of {place}. {H}, {a_role}, paces, talking to nobody.
H | Everyone says nobody can {want1} {before}.
A medium 3 | {V} looks up from a cup of tea.
V | Then show them what {a_role} can do. And take me along.
H | If I {want1}, you come to everything after.
V | Everything? Say it again, about {thing}.
H (smiling) | Everything. On {thing}.""",
    """A close-up 3 | A hand-written note pinned by the door of {place}: {thing}, circled twice.
A wide 4 | {H}, {a_role}, reads it for the hundredth time.
H | One chance to {want1}, and only {before}.
V | And the lesson you owe me? How {a_role} really works?
H | The day I {want1}, it's yours.
V | I'll hold you to it, by {thing}.""",
]
EN["inciting"] = [
    """A wide 4 | {Place}. A figure in the crowd stops and turns: {X}.
X | So this is {a_role} who thinks {she}'ll {want3}.
H | And you must be {foe_role}.
X (smiling) | Forget {thing}. It's mine now.
A close-up 3 | {H}'s jaw tightens. {X} walks away without hurrying.
F | That was {foe_role}? Then we're already behind {before}.""",
    """A medium 3 | A knock at the door of {place}. {F} comes in, out of breath.
F | It's {foe_role}. They say {X} has {thing}.
H | Then {X} knows what I have to do {before}.
F | Everyone in {place} knows about {thing} now.
A close-up 3 | {H} puts down the tools and reaches for a coat.""",
    """A wide 4 | Night. A lamp moves across {place}. {X} is there, looking straight at {H}.
X (O.S.) | You'll never {want2} {before}, {role}.
H | Who's there?
A wide 3 | Only the wind answers. {F} runs up.
F | That voice. That was {foe_role}, I'm sure of it.""",
]
EN["plan"] = [
    """A medium 3 | {F} clears a table in {place} and lays out {aid}.
F | You can't beat {foe_role} the way you always do. Your {flaw} again.
H | My {flaw} got me this far, as {a_role}.
F | It also lost you everything once. Take this. For {thing}.
A close-up 3 | {H} turns {aid} over in the light, then pockets it.""",
    """A medium 3 | {H} and {F} whisper over a drawn map of {place}.
F | {foe} is strong, but {foe_role} never watches the back door.
H | Then I go in alone, for {thing}.
F (angry) | Alone. That's your {flaw} talking, not a plan for {thing}.
A close-up 3 | {F} presses {aid} into {H}'s hand.
F | Use it when you want to {want2}. Not before.""",
    """A medium 3 | Late night in {place}. {F} sets {aid} between two cups.
F | My mother kept this. It helped her once against someone like {foe_role}.
H | I don't need help to {want1}.
F | That's your {flaw}. Every {role} I knew had it, and lost.
A close-up 3 | A long silence. {H} takes {aid}.""",
]
EN["attempt"] = [
    """A wide 4 | {H} walks straight up to {X} in the middle of {place}.
H | I've come for {thing}. Give it back.
X (amused) | Just like that? {a_role} with empty hands?
H | I'll {want1} with or without your blessing.
A wide 3 | {X} snaps {xher} fingers. Two men step between them, and {H} is pushed back into the dust.""",
    """A medium 3 | {H} slips into {place} by the side door, alone.
A close-up 3 | There it is: {thing}, within reach. A floorboard creaks.
X | Did you really think {foe_role} leaves doors open?
H | I thought {foe_role} sleeps, like everyone else.
A wide 3 | {H} runs. Empty-handed.""",
    """A wide 4 | Market day in {place}. {H} tries to {want3} in front of everyone.
X | Look at this. {a_role}, begging in public.
H | I'm not begging. I'm telling {place} the truth about {thing}.
X | {place} believes whoever is loudest about {thing}.
A close-up 3 | The crowd laughs. {H} stands alone.""",
    """A medium 3 | {H} waits by the gate of {place} until {X} comes out.
H | Name your price for {thing}.
X | There's no price {a_role} could pay.
H | Everyone from {place} has a price. Even {foe_role}.
A close-up 3 | {X} walks on. {H} is left with the rain.""",
    """A wide 4 | Night. {H} and {F} climb the back wall of {place}.
F (whispering) | If {foe_role} catches us here, you can forget {thing}.
H | Then {foe_role} won't catch us.
A close-up 3 | A dog barks. Lights come on all over {place}.
X (O.S.) | Who's there?
A wide 3 | {H} and {F} drop back into the street and run, without {thing}.""",
    """A wide 4 | In the middle of {place}, {H} stands on a crate and calls out to {X}.
H | I challenge you, in front of everyone: {thing} goes to whoever deserves it.
X | And who judges? People who owe {foe_role} money?
H | People who know what {a_role} is worth.
A wide 3 | Nobody steps forward. One by one, they look away from {H}.
X | As I thought. {thing_cap} stays with me.""",
    """A medium 3 | {H} comes to {place} in disguise, a basket on one arm.
X | You. I know that walk. Did you think a hat would hide {a_role}?
H | I thought you'd be too busy guarding {thing} to look.
A wide 3 | {X}'s people close the door. {H} climbs out through the kitchen window, empty-handed.""",
]
EN["cost"] = [
    """A medium 3 | {F} sits against the wall of {place}, one arm bandaged.
H | This happened because I went after {thing} alone.
F | Yes. And now you know how {foe_role} fights.
H (quietly) | I don't know how to {want1} any more.
F | Then stop trying to {want2} alone.""",
    """A medium 3 | {V} sits on the step of {place}, holding a broken cup.
V | They laughed at you. They laughed at every {role}.
H | Let them. {thing} doesn't care who laughs.
V | Do you still mean to {want2}?
A close-up 3 | {H} kneels and gathers the pieces, one by one.""",
    """A wide 4 | Dusk. The windows of {place} go dark one by one.
H | I lost the one chance to {want1}.
F | You lost a round against {foe_role}. Not the day.
H | And if I'm too late {before}?
F | Then we lose {thing} together, not you alone.""",
    """A medium 3 | {H} counts coins on the table of {place}. It is not enough.
H | Everything I saved, and it won't buy a single day {before}.
F | Then don't buy time. Spend it on {thing}.
H | And if I fail to {want1} as well?
F | Then you'll be {a_role} who tried. That is not nothing.""",
    """A medium 3 | {V} has a fever; {H} sits by the bed in {place}.
V | Go. You promised to {want2}.
H | I promised you first. {thing_cap} can wait an hour.
V | {foe_role} won't wait an hour.
A close-up 3 | {H} stays, and watches the clock.""",
    """A medium 3 | The window of {place} is broken; on the floor, a stone wrapped in a note: GIVE UP.
V | Who would do this to {a_role}?
H | Someone who wants {thing} more than they want to be liked.
F | Then we mend the window, and we go on {before}.
A close-up 3 | {H} sweeps up the glass, jaw set.""",
    """A medium 3 | {F} sits on the stairs of {place}, counting the cuts on both hands.
H | I asked too much of you. All for {thing}.
F | You asked. I said yes. That's what friends of {a_role} do.
H | Then let me carry the rest {before}.
A close-up 3 | {F} holds out both hands, and {H} bandages them.""",
]
EN["discovery"] = [
    """A medium 4 | In a back room of {place}, {H} finds an old ledger, its pages full of {X}'s hand.
H | Look. {foe_role} never had a right to {thing}. It's all written here.
F | Then {foe_role} can be beaten by the truth, not by fists.
A close-up 3 | {H}'s eyes light up for the first time.""",
    """A medium 4 | {V} drags {H} across {place} to a window.
V | Every night {X} hides {thing} in the same place. I counted.
H | You counted? For how long, around {foe_role}?
V | Since you stopped telling me about {thing}.
A close-up 3 | {H} laughs, and hugs {V}.""",
    """A medium 3 | {F} unfolds a letter found in {place}.
F | It's from {X}. {foe_role} is afraid of one thing: being seen.
H | Then everyone will see what {foe_role} did.
A close-up 3 | {H} looks at {the_aid}, then smiles.""",
    """A medium 4 | {H} sorts through old papers in {place} and stops at a faded picture.
H | {F}, look. {X}, years ago, standing beside {thing}, smiling.
F | So {foe_role} loved it once, the way you do.
H | Then {foe} knows exactly what {thing} means to {a_role}.""",
    """A medium 3 | {V} rushes into {place}, waving a torn page.
V | {foe_role} is scared! Somebody else wants {thing} too, and is coming {before}.
H | Someone else? Then {foe_role} is running out of time as well.
F | Which makes {foe_role} careless. That's our way in.""",
    """A medium 3 | {F} brings {H} an old man who remembers {place} long before {X}.
F | He says {thing} was never meant to belong to one person. Listen to him.
H | Then {foe_role} has been lying to everyone from the start.
F | And people who hate lies will stand with {a_role}.
A close-up 3 | {H} writes every word down.""",
    """A medium 3 | {V} pulls a loose brick from the wall of {place}; behind it, a bundle of letters.
V | They're all to {foe_role}. Somebody has been paying {foe} to keep {thing}.
H | Paying? So {foe_role} doesn't even want {thing}. Only the money.
F | Then money is where {foe_role} is weak.
A close-up 3 | {H} ties the letters with string and hides them.""",
]
EN["journey"] = [
    """A wide 5 | {H} and {F} cross {place} against the wind, loaded with everything they own.
F | Tell me again why we don't wait {before}.
H | Because waiting is how {foe_role} wins.
A wide 3 | The road climbs. {V} runs to catch up.""",
    """A wide 5 | A long walk at dusk. {H} carries {the_aid}; {F} carries the rest.
F | Whoever finds {thing} first keeps it, they say in {place}.
H | Then we find {thing} first.""",
    """A wide 5 | {H} rides out of {place} on the last cart of the day, {the_aid} in hand.
F | Do you even know where {foe_role} keeps {thing}?
H | No. But I know who would: the one who taught me to be {a_role}.
A wide 4 | Hills, then a river, then a single lit window.""",
    """A wide 5 | Rain. {H}, {F} and {V} share one coat under a bridge outside {place}.
V | Are you still going to {want2}?
H | Every step of the way {before}.
F (laughing) | Every wet step.
A wide 3 | The rain stops. They walk on, faster.""",
    """A wide 5 | Before dawn, {H} walks the whole length of {place} alone, the way {foe} will come.
H (V.O.) | Every stone of this road, I'll know it {before}.
A wide 4 | {H} marks the corners with chalk: here to run, here to hide, here to stand.""",
    """A wide 5 | Market day. {H} and {V} push a heavy cart through the crowd of {place}.
V | Everyone is looking at us. Do they know about {thing}?
H | Let them look. By tonight, all of them will know what {a_role} can do.
A wide 3 | The cart reaches the far side of {place}. Nobody stops them.""",
]
EN["crisis"] = [
    """A medium 3 | Night in {place}. {F} is gone; only a note remains on the table.
H (reading) | "Don't look for me. {foe_role} wants you to come." It's {F}'s hand.
V | {foe_role} took {F} because of {thing}. Because of you.
H | Because of me.
A close-up 3 | {H} sits down in the dark. The clock keeps ticking.""",
    """A medium 3 | {H} packs a bag in {place}, hands shaking.
V | You're running away from {thing}?
H | I'm saving you from {foe_role}.
V | Nobody asked you to save me. Only to {want2}.
A close-up 3 | {H} stops. The bag falls open.""",
    """A medium 3 | {H} stands in the wreck of {place}: everything broken. Only {the_aid}, in {H}'s coat, is safe.
H | I can't {want1}. Not now. Not {before}.
F | You said that last time, about {thing}.
H (shouting) | Last time {foe_role} hadn't smashed everything!
A close-up 3 | Silence. Then {V} starts picking up the pieces.""",
    """A medium 3 | {H} snaps at {V} in the middle of {place}; {V} runs out in tears.
F | That was your {flaw}, not you. {thing_cap} isn't worth losing {V}.
H (quietly) | I'll find {V} first. Then I'll {want1}.
A wide 4 | Night. {V} sits on a step outside. {H} sits down beside {V}, and says nothing for a long time.""",
    """A wide 4 | Night. {H} stands in the doorway of {place} with a packed bag, looking at the road out.
V | If you leave now, {foe_role} keeps {thing} forever.
H | If I stay, {foe_role} takes everything else.
V | You promised. {before}, you said.
A close-up 3 | {H} puts the bag down.""",
]
EN["respite"] = [  # a quiet scene between two blows: warmth, a laugh, the promise remembered
    """A medium 3 | Late evening in {place}. {H} teaches {V} the first thing every {role} learns.
V | Like this? Is this how {a_role} starts?
H | Exactly like {a_role} does it. Slower.
V | When you {want2}, will you still have time for this?
H (smiling) | When I {want1}, we do this every evening.""",
    """A wide 4 | {F} and {H} share bread on the roof of {place}, watching the lights below.
F | Do you remember the first time you wanted to be {a_role}?
H | I ruined everything on day one. You said no {role} ever starts well.
F | And look at you now, going after {thing} {before}.
A close-up 3 | They laugh; for a moment {foe} is far away.""",
    """A medium 3 | {V} has made dinner in {place}: burnt, lopsided, proud.
V | I made it myself. Even {foe_role} couldn't cook this badly.
H (laughing) | It's the best thing anyone has made for me {before}.
F | Eat it all. You need your strength to {want2}.
A close-up 3 | {H} eats every bite.""",
    """A medium 3 | Rain on the roof of {place}. {F} mends {H}'s coat by the stove.
F | Your mother would laugh to see {a_role} with holes in every sleeve.
H | She would tell me to {want1} first and mend later.
F | She would tell you to eat first. Then {thing}.
A close-up 3 | {H} smiles, and for once sits still.""",
    """A wide 4 | Sunset through the windows of {place}. {H}, {F} and {V} sit on the steps, too tired to talk.
V | When this is over, can we have a day with no {thing} in it?
H (laughing) | A whole day. I swear it, {before} or after.
F | I'll hold you to that, {role}.
A close-up 3 | The sun goes down. Nobody moves.""",
]
EN["climax"] = [
    """A wide 4 | {Place}. {deadline_now_cap}. {X} holds {thing} high for everyone to see.
X | Too late, {role}. Everyone is watching.
H | Good. {F}, now!
A close-up 3 | {F} steps out of the crowd. {H} raises {the_aid}.
F | We do it together, the way I said. No more {flaw}, {role}.
H | No more {flaw}. I came to {want1}, and not alone.
A wide 4 | {the_aid_cap} does its work. {X} steps back, and {thing} falls into {H}'s hands.
X (quietly) | How did you know about {the_aid}, {role}?
H | A friend of this {role} told me.""",
    """A wide 4 | {deadline_now_cap}. {X} waits in the middle of {place}, calm.
X | You came back. {a_role} never learns.
H | This one did. {V}, {F}, it's time to {want1}.
A close-up 3 | {V} and {F} step out on either side. {H} holds out {the_aid}.
X | What is that supposed to do to {foe_role}?
H | Show everyone what you did to {thing}.
A wide 4 | The crowd turns. {X} has nowhere left to stand.
F | That was no {flaw} at all. That was {a_role}.""",
]
EN["resolution"] = [
    """A wide 4 | {Place}, the morning after. {thing_cap} is back where it belongs.
V | You did it. You managed to {want2}.
H | We did. Now, the lesson I promised: how {a_role} starts the day.
A close-up 3 | {V} rolls up both sleeves, grinning.
F | Look at that. Two of them now: {a_role} and an apprentice.""",
    """A wide 4 | Sunrise over {place}. People come back, slowly.
F | So, {role}. Was {thing} worth all of it?
H | Ask me after I keep my promise to {V}, about how {a_role} works.
A wide 3 | {H} hands {V} the tools. Their first lesson begins.""",
]
EN["micro_open"] = [  # a film under 50 s: two scenes, the want and a gift, then the face-off
    """A wide 4 | {Place}. {H}, {a_role}, looks at the clock.
V | Take this, {role}.
H | What for?
A close-up 3 | {V} presses {aid} into {H}'s hand.
H | To {want1} {before}.""",
    """A wide 4 | {Place}, early. {H}, {a_role}, is packing a bag.
V | Not without this, {role}.
H | Thank you.
A close-up 3 | {V} hands {H} {aid}.
H | I'll {want1} {before}. Promise.""",
    """A wide 4 | {Place}. {H}, {a_role}, stares at a circled date.
V | You'll need this, {role}.
H | Will I?
A close-up 3 | {V} ties {aid} to {H}'s wrist.
H | Then I'll {want1} {before}.""",
]
EN["micro_end"] = [
    """A wide 4 | {X} blocks the way, {thing} in hand.
X | Not while {foe_role} stands here.
A close-up 3 | {H} raises {the_aid}. {X} steps back.
A wide 3 | {thing_cap} is safe. {V} cheers.
H | So much for {foe_role}.""",
    """A wide 4 | {X} waits by the door, arms crossed.
X | Give up on {thing}.
A close-up 3 | {H} shows {the_aid}. {X} goes pale.
A wide 3 | {H} walks past {X} with {thing}.
H | I said {before}, didn't I?""",
    """A wide 4 | {X} turns, {thing} behind {xher} back.
X | You again, {role}?
A close-up 3 | {the_aid_cap} catches the light. {X} flinches.
A wide 3 | {H} and {V} walk home with {thing}.
H | Me again. For {thing}.""",
]
EN["hook"] = [  # k: what the next episode's return k picks up
    """A wide 4 | Night in {place}. {X} opens a box; inside is {thing}, and a photograph of {V}.
X | Let {a_role} come for it. I'll be waiting.""",
    """A medium 3 | {H} comes home to {place}. The door is open. {F} is not there.
H | {F}? {F}! Who took {F}, and why now, {before}?""",
    """A close-up 3 | {H} unfolds a note left on {thing}'s empty shelf in {place}.
H (reading) | "I know about {the_aid}. Ask {F} what it cost, the last time someone wanted {thing}." Signed: {foe}.""",
    """A wide 4 | Dusk in {place}. A messenger nails a notice to the door: {deadline_now_cap}, one day early.
H | One day early? Nobody can {want1} in one day.
X (O.S.) | Then let {thing} go, little {role}.""",
    """A medium 3 | Night. Through a window of {place}, {H} sees {V} hand something to {X}.
H (quietly) | {V}? With {foe_role}? Why would {V} help {foe} keep {thing}?""",
]
EN["return"] = [
    """A medium 3 | Morning. {H} tells {F} about the photograph of {V} in {X}'s box.
F | {foe_role} has {thing} and a picture of {V}? Then {V} stays with me.
H | And I go after {thing} before {foe} goes after {V}.""",
    """A wide 4 | Dawn. {H} finds {F} tied up in a shed at the edge of {place}.
F | It was {foe_role}. They wanted to know where you keep {the_aid}.
H | And you told them nothing about {thing}?
F | Nothing. Untie me.""",
    """A medium 3 | {H} puts the note in front of {F} in {place}.
H | What did {the_aid} cost you? {foe_role} says you know.
F (quietly) | My old shop. I lost it fighting over {thing}, years ago. Now you know.
H | Then this time we {want1} and keep the shop.""",
    """A medium 3 | Morning in {place}. {H} has not slept; lists cover the table.
F | One day less {before}. What do we drop?
H | Everything that isn't {thing}.
F | Then you {want2}, and I carry everything else.
V | I can run the errands. Whatever it takes to {want2}.""",
    """A medium 3 | {V} is waiting at the door of {place}, eyes red.
V | {foe_role} asked me about {thing}. I lied, for you.
H | You stood in front of {foe_role} and lied?
V | I said you had given up. Now nobody is watching you {before}.
A close-up 3 | {H} pulls {V} close and holds on.""",
]

# ------------------------------------------------------------------------------------------------- Chinese
ZH = SCENES["zh"]
ZH["opening"] = [
    """A wide 4 | {Place}，天刚亮。{H}，一个{role}，已经在忙，眼睛不停看着钟。
H | 我必须在{before}{want1}。没有第二次机会。
A close-up 3 | {V}站在门口看着。
V | 你说过要教我{role}是怎么干活的。
H (gently) | 会的。等我{want1}就教你。
V | 你拿{thing}发誓。
H | 我发誓。""",
    """A wide 4 | 雨打在{place}的窗上。{H}，一个{role}，来回踱步，自言自语。
H | 人人都说没人能在{before}{want1}。
A medium 3 | {V}从茶杯上抬起头。
V | 那就让他们看看{role}的本事。带上我。
H | 要是我能{want1}，以后什么都带上你。
V | 什么都带上？为了{thing}，你再说一遍。
H (smiling) | 什么都带上。我拿{thing}保证。""",
    """A close-up 3 | {place}门边钉着一张手写的纸条：{thing}，画了两个圈。
A wide 4 | {H}，一个{role}，第一百遍读它。
H | 只有一次机会{want1}，而且只能在{before}。
V | 那你欠我的那一课呢？{role}到底怎么干活？
H | 我{want1}的那天，就教你。
V | 我记住了，凭着{thing}。""",
]
ZH["inciting"] = [
    """A wide 4 | {Place}。人群中一个身影停下转身：{X}。
X | 原来这就是想{want3}的{role}。
H | 那你一定就是{foe_role}。
X (smiling) | 别想{thing}了。它现在是我的。
A close-up 3 | {H}咬紧牙关。{X}不慌不忙地走开。
F | 那就是{foe_role}？那我们在{before}已经落后了。""",
    """A medium 3 | {place}的门被敲响。{F}冲进来，上气不接下气。
F | 是{foe_role}。听说{thing}在{X}手里。
H | 那{X}知道我在{before}要做什么了。
F | 现在整个{place}都知道{thing}的事了。
A close-up 3 | {H}放下工具，伸手去拿外套。""",
    """A wide 4 | 夜里。一盏灯穿过{place}。{X}站在那里，直直地看着{H}。
X (O.S.) | 你休想在{before}{want2}，{role}。
H | 谁在那里？
A wide 3 | 只有风声回答。{F}跑了过来。
F | 那个声音，肯定是{foe_role}。""",
]
ZH["plan"] = [
    """A medium 3 | {F}在{place}清出一张桌子，摆上{aid}。
F | 你不能照老样子对付{foe_role}。你的{flaw}又来了。
H | 我这个{role}就是靠{flaw}走到今天的。
F | 你也因为它失去过一切。拿着，为了{thing}。
A close-up 3 | {H}在灯下翻看{aid}，然后收进口袋。""",
    """A medium 3 | {H}和{F}对着一张{place}的手绘地图低声商量。
F | {foe}很强，可是{foe_role}从来不看后门。
H | 那我一个人进去，为了{thing}。
F (angry) | 一个人。这是你的{flaw}在说话，不是拿回{thing}的计划。
A close-up 3 | {F}把{aid}塞到{H}手里。
F | 等你真要{want2}的时候再用它。""",
    """A medium 3 | {place}，深夜。{F}把{aid}放在两只杯子中间。
F | 这是我母亲留下的，她曾靠它对付过像{foe_role}这样的人。
H | 我不需要帮忙也能{want1}。
F | 这就是{flaw}。我认识的每个{role}都有，最后都输了。
A close-up 3 | 长久的沉默。{H}拿起了{aid}。""",
]
ZH["attempt"] = [
    """A wide 4 | {H}径直走到{place}中央的{X}面前。
H | 我来拿{thing}。还给我。
X (amused) | 就这样？一个空着手的{role}？
H | 不管你答不答应，我都要{want1}。
A wide 3 | {X}打了个响指。两个人挡在中间，{H}被推倒在尘土里。""",
    """A medium 3 | {H}独自从侧门溜进{place}。
A close-up 3 | 就在那里：{thing}，伸手可及。地板吱呀一响。
X | 你真以为{foe_role}会不锁门？
H | 我以为{foe_role}也要睡觉，跟大家一样。
A wide 3 | {H}逃走了，两手空空。""",
    """A wide 4 | {place}的集日。{H}当着所有人的面想{want3}。
X | 看看，一个{role}当众求人。
H | 我不是在求人。我是在告诉大家{thing}的真相。
X | {place}只信嗓门最大的人，{thing}也一样。
A close-up 3 | 人群哄笑。{H}孤零零地站着。""",
    """A medium 3 | {H}在{place}门口一直等到{X}出来。
H | 说吧，{thing}要什么价。
X | 没有哪个{role}付得起。
H | {place}的人都有个价钱，{foe_role}也一样。
A close-up 3 | {X}走了。{H}一个人站在雨里。""",
    """A wide 4 | 夜里。{H}和{F}翻上{place}的后墙。
F (whispering) | 要是{foe_role}在这里抓住我们，{thing}就别想了。
H | 那就别让{foe_role}抓住。
A close-up 3 | 一条狗叫起来。{place}到处亮起了灯。
X (O.S.) | 谁在那儿？
A wide 3 | {H}和{F}跳回街上拼命跑，两手空空，没有{thing}。""",
    """A wide 4 | {H}站在{place}中央的木箱上，冲着{X}大喊。
H | 当着大家的面，我向你挑战：{thing}归配得上它的人。
X | 谁来评判？欠着{foe_role}钱的那些人？
H | 知道一个{role}有多少分量的人。
A wide 3 | 没有人站出来。人们一个接一个地避开{H}的目光。
X | 果然。{thing}还是归我。""",
    """A medium 3 | {H}乔装来到{place}，胳膊上挎着篮子。
X | 是你。我认得这走路的样子。以为一顶帽子就能藏住一个{role}？
H | 我以为你忙着看守{thing}，顾不上看人。
A wide 3 | {X}的人关上门。{H}从厨房窗户爬了出去，两手空空。""",
]
ZH["cost"] = [
    """A medium 3 | {F}靠着{place}的墙坐着，一只胳膊缠着绷带。
H | 都怪我一个人去追{thing}。
F | 是。可现在你知道{foe_role}怎么打了。
H (quietly) | 我已经不知道该怎么{want1}了。
F | 那就别再一个人去{want2}。""",
    """A medium 3 | {V}坐在{place}的台阶上，手里拿着一只碎杯子。
V | 他们笑你。他们笑每一个{role}。
H | 让他们笑。{thing}才不管谁在笑。
V | 你还想{want2}吗？
A close-up 3 | {H}跪下来，一片一片捡起碎片。""",
    """A wide 4 | 黄昏。{place}的窗户一扇接一扇暗下去。
H | 我把唯一一次{want1}的机会丢了。
F | 你输给{foe_role}的只是一局，不是这一天。
H | 要是我赶不上{before}呢？
F | 那就一起输掉{thing}，不是你一个人。""",
    """A medium 3 | {H}在{place}的桌上数着硬币。不够。
H | 我全部的积蓄，连{before}多买一天都不够。
F | 那就别买时间。把时间花在{thing}上。
H | 要是我连{want1}也做不到呢？
F | 那你就是一个尽了力的{role}。这并非一无所获。""",
    """A medium 3 | {V}发烧了；{H}守在{place}的床边。
V | 去吧。你答应过要{want2}。
H | 我先答应的是你。{thing}可以等一个钟头。
V | {foe_role}可不会等。
A close-up 3 | {H}留了下来，看着钟。""",
    """A medium 3 | {place}的窗户碎了；地上有一块包着字条的石头：放弃吧。
V | 谁会这样对一个{role}？
H | 一个想要{thing}胜过想被人喜欢的人。
F | 那我们把窗修好，{before}继续干。
A close-up 3 | {H}扫着玻璃，咬紧了牙。""",
    """A medium 3 | {F}坐在{place}的楼梯上，数着手上的伤口。
H | 我让你付出太多了。全是为了{thing}。
F | 你开口，我答应。{role}的朋友就该这样。
H | 那{before}剩下的，让我来扛。
A close-up 3 | {F}伸出双手，{H}替{F}包扎。""",
]
ZH["discovery"] = [
    """A medium 4 | 在{place}的里屋，{H}找到一本旧账簿，满页都是{X}的笔迹。
H | 你看。{foe_role}根本无权拿走{thing}。这里都写着。
F | 那打败{foe_role}靠的是真相，不是拳头。
A close-up 3 | {H}的眼睛第一次亮了起来。""",
    """A medium 4 | {V}拉着{H}穿过{place}，跑到一扇窗前。
V | {X}每天晚上都把{thing}藏在同一个地方。我数过。
H | 你数过？盯着{foe_role}数了多久？
V | 从你不再跟我讲{thing}的那天起。
A close-up 3 | {H}笑了，一把抱住{V}。""",
    """A medium 3 | {F}展开一封在{place}找到的信。
F | 是{X}写的。{foe_role}只怕一件事：被人看见。
H | 那就让每个人都看见{foe_role}做了什么。
A close-up 3 | {H}看了看{the_aid}，笑了。""",
    """A medium 4 | {H}在{place}翻着旧文件，停在一张褪色的照片上。
H | {F}，你看。多年前的{X}，站在{thing}旁边，笑着。
F | 原来{foe_role}也曾经像你一样珍惜它。
H | 那{foe}就清楚{thing}对一个{role}意味着什么。""",
    """A medium 3 | {V}挥着一张撕下的纸冲进{place}。
V | {foe_role}害怕了！还有别人也想要{thing}，{before}就到。
H | 还有别人？那{foe_role}的时间也不多了。
F | 人一怕就会出错。这就是我们对付{foe_role}的机会。""",
    """A medium 3 | {F}带来一位老人，他记得{X}之前的{place}。
F | 他说{thing}从来就不该只属于一个人。听他说。
H | 那{foe_role}从一开始就在骗所有人。
F | 讨厌谎言的人会站在{role}这边。
A close-up 3 | {H}把每句话都记了下来。""",
    """A medium 3 | {V}从{place}的墙上抽出一块松动的砖；后面藏着一捆信。
V | 全是写给{foe_role}的。有人一直在付钱让{foe}守着{thing}。
H | 付钱？那{foe_role}根本不在乎{thing}，只在乎钱。
F | 那钱就是{foe_role}的软肋。
A close-up 3 | {H}用绳子把信捆好，藏了起来。""",
]
ZH["journey"] = [
    """A wide 5 | {H}和{F}顶着风穿过{place}，背着全部家当。
F | 再告诉我一遍，为什么不等到{before}。
H | 因为{foe_role}就是靠别人等才赢的。
A wide 3 | 路越走越高。{V}跑着追上来。""",
    """A wide 5 | 黄昏里的长路。{H}拿着{the_aid}，{F}背着其余的东西。
F | {place}的人说，谁先找到{thing}就归谁。
H | 那我们先找到{thing}。""",
    """A wide 5 | {H}搭上当天最后一辆马车离开{place}，手里握着{the_aid}。
F | 你知道{foe_role}把{thing}藏在哪儿吗？
H | 不知道。但我知道谁知道：教我做{role}的那个人。
A wide 4 | 山丘，然后是河，然后是一扇亮着灯的窗。""",
    """A wide 5 | 下雨了。{H}、{F}和{V}在{place}外的桥下共披一件外衣。
V | 你还要{want2}吗？
H | {before}，每一步都算数。
F (laughing) | 步步是水。
A wide 3 | 雨停了。他们加快脚步继续走。""",
    """A wide 5 | 天亮前，{H}独自把{place}从头走到尾，走{foe}会来的那条路。
H (V.O.) | 这条路上的每块石头，{before}我都要认得。
A wide 4 | {H}用粉笔在拐角做记号：这里跑，这里躲，这里站住。""",
    """A wide 5 | 集日。{H}和{V}推着一辆沉重的车穿过{place}的人群。
V | 大家都在看我们。他们知道{thing}的事吗？
H | 让他们看。今晚他们都会知道一个{role}能做什么。
A wide 3 | 车到了{place}的另一头。没有人拦他们。""",
]
ZH["crisis"] = [
    """A medium 3 | {place}的夜。{F}不见了，桌上只留下一张字条。
H (reading) | "别来找我。{foe_role}就等你来。"是{F}的字。
V | {foe_role}为了{thing}抓走了{F}。都是因为你。
H | 都怪我。
A close-up 3 | {H}在黑暗里坐下。钟还在走。""",
    """A medium 3 | {H}在{place}收拾行李，手在发抖。
V | 你要丢下{thing}逃走？
H | 我是在保护你，躲开{foe_role}。
V | 没人要你保护我。只要你{want2}。
A close-up 3 | {H}停住了。包掉在地上散开。""",
    """A medium 3 | {H}站在{place}的一片狼藉中：什么都砸坏了。只有{the_aid}还在{H}的口袋里。
H | 我没法{want1}了。不是现在，不是{before}。
F | 上次为了{thing}，你也这么说。
H (shouting) | 上次{foe_role}还没把一切都砸烂！
A close-up 3 | 一片沉默。然后{V}开始捡起碎片。""",
    """A medium 3 | {H}在{place}中央冲{V}发火；{V}哭着跑了出去。
F | 那是你的{flaw}，不是你。{thing}不值得你失去{V}。
H (quietly) | 我先去找{V}。然后再{want1}。
A wide 4 | 夜里。{V}坐在外面的台阶上。{H}在{vta}身边坐下，很久没有说话。""",
    """A wide 4 | 夜里。{H}提着收拾好的包站在{place}门口，望着出去的路。
V | 你现在走，{foe_role}就永远霸占{thing}了。
H | 我留下，{foe_role}会夺走其余的一切。
V | 你答应过的。{before}，你说的。
A close-up 3 | {H}放下了包。""",
]
ZH["respite"] = [
    """A medium 3 | {place}的深夜。{H}教{V}每个{role}学的第一件事。
V | 这样吗？{role}就是这样开始的吗？
H | 就像{role}那样做。慢一点。
V | 等你{want2}了，还有时间教我吗？
H (smiling) | 等我{want1}了，我们每天晚上都这样。""",
    """A wide 4 | {F}和{H}坐在{place}的屋顶上分着面包，看着下面的灯火。
F | 还记得你第一次想当{role}的时候吗？
H | 第一天就全搞砸了。你说没有哪个{role}一开始就做得好。
F | 看看你现在，{before}追着{thing}跑。
A close-up 3 | 他们笑了；有那么一会儿，{foe}显得很远。""",
    """A medium 3 | {V}在{place}做好了晚饭：烧焦了，歪歪扭扭，却很得意。
V | 我自己做的。连{foe_role}都做不出这么难吃的。
H (laughing) | 这是{before}别人给我做过的最好的一顿。
F | 全吃了。你得有力气去{want2}。
A close-up 3 | {H}一口不剩地吃完了。""",
    """A medium 3 | 雨打在{place}的屋顶上。{F}在炉边给{H}补外衣。
F | 你娘要是看见一个{role}袖子上全是洞，准会笑出声。
H | 她会叫我先{want1}，再补衣服。
F | 她会叫你先吃饭。然后才是{thing}。
A close-up 3 | {H}笑了，难得安安静静地坐着。""",
    """A wide 4 | 夕阳照进{place}的窗户。{H}、{F}和{V}坐在台阶上，累得说不出话。
V | 等这一切结束，我们能过一天没有{thing}的日子吗？
H (laughing) | 一整天。我发誓，{before}也好，之后也好。
F | 我可记住了，{role}。
A close-up 3 | 太阳落下去了。谁都没有动。""",
]
ZH["climax"] = [
    """A wide 4 | {Place}。{deadline_now_cap}。{X}把{thing}高高举起，让所有人都看见。
X | 你来得正好，{role}。大家都看着呢。
H | 正好。{F}，上！
A close-up 3 | {F}从人群中走出来。{H}举起{the_aid}。
F | 照我说的，一起来。别再{flaw}了，{role}。
H | 不再{flaw}。我来是为了{want1}，而且不是一个人。
A wide 4 | {the_aid_cap}起了作用。{X}后退一步，{thing}落到{H}手里。
X (quietly) | 你这个{role}怎么知道{the_aid}的？
H | 一个懂{role}的朋友告诉我的。""",
    """A wide 4 | {deadline_now_cap}。{X}平静地站在{place}中央。
X | 你回来了。{role}从来不长记性。
H | 这个长了。{V}，{F}，是时候{want1}了。
A close-up 3 | {V}和{F}一左一右站出来。{H}举起{the_aid}。
X | 这东西能把{foe_role}怎么样？
H | 让大家看看你对{thing}做了什么。
A wide 4 | 人群转过身来。{X}无处可站。
F | 这哪是什么{flaw}。这才是{role}。""",
]
ZH["resolution"] = [
    """A wide 4 | 第二天早上的{place}。{thing_cap}回到了原来的地方。
V | 你做到了。你真的{want2}了。
H | 是我们做到了。现在，我答应你的那一课：{role}怎么开始一天。
A close-up 3 | {V}卷起两只袖子，咧嘴笑了。
F | 瞧瞧，现在有两个{role}了。""",
    """A wide 4 | {place}日出。人们慢慢回来了。
F | 怎么样，{role}？{thing}值得吗？
H | 等我兑现了对{V}的承诺，教会{vta}{role}的手艺，再问我。
A wide 3 | {H}把工具交给{V}。第一课开始了。""",
]
ZH["micro_open"] = [
    """A wide 4 | {Place}。{H}，一个{role}，看着钟。
V | 拿着，{role}。
H | 干什么用？
A close-up 3 | {V}把{aid}塞到{H}手里。
H | 为了在{before}{want1}。""",
    """A wide 4 | {Place}，清早。{H}，一个{role}，在收拾行李。
V | 带上这个，{role}。
H | 谢谢。
A close-up 3 | {V}把{aid}递给{H}。
H | 我会在{before}{want1}。""",
    """A wide 4 | {Place}。{H}，一个{role}，盯着日历上圈出的日子。
V | 你会用得上的，{role}。
H | 会吗？
A close-up 3 | {V}把{aid}系在{H}的手腕上。
H | 那我就在{before}{want1}。""",
]
ZH["micro_end"] = [
    """A wide 4 | {X}拦住去路，手里拿着{thing}。
X | 有{foe_role}在，你休想。
A close-up 3 | {H}举起{the_aid}。{X}后退一步。
A wide 3 | {thing}保住了。{V}欢呼起来。
H | {foe_role}也不过如此。""",
    """A wide 4 | {X}抱着胳膊守在门口。
X | 别想{thing}了。
A close-up 3 | {H}亮出{the_aid}。{X}脸色发白。
A wide 3 | {H}带着{thing}从{X}身边走过。
H | 我说过，{before}一定拿到。""",
    """A wide 4 | {X}转过身，把{thing}藏在背后。
X | 又是你，{role}？
A close-up 3 | {the_aid}闪了一下光。{X}缩了回去。
A wide 3 | {H}和{V}带着{thing}回家。
H | 又是我。为了{thing}。""",
]
ZH["hook"] = [
    """A wide 4 | {place}的夜。{X}打开一只盒子，里面是{thing}，还有一张{V}的照片。
X | 让那个{role}来拿吧。我等着。""",
    """A medium 3 | {H}回到{place}。门开着，{F}不见了。
H | {F}？{F}！是谁在{before}把{F}带走了？""",
    """A close-up 3 | {H}在{place}放{thing}的空架子上展开一张字条。
H (reading) | "我知道{the_aid}的事。问问{F}，上次有人想要{thing}时，它的代价。"落款：{foe}。""",
    """A wide 4 | {place}的黄昏。一个信差在门上钉了一张告示：{deadline_now_cap}，提前了一天。
H | 提前一天？谁能在一天里{want1}？
X (O.S.) | 那就放下{thing}吧，小{role}。""",
    """A medium 3 | 夜里。{H}透过{place}的窗户，看见{V}把一样东西交给{X}。
H (quietly) | {V}？跟{foe_role}在一起？{V}为什么要帮{foe}守住{thing}？""",
]
ZH["return"] = [
    """A medium 3 | 早上。{H}把{X}盒子里那张{V}的照片告诉了{F}。
F | {foe_role}拿着{thing}，还有{V}的照片？那{V}跟着我。
H | 我去追{thing}，赶在{foe}去找{V}之前。""",
    """A wide 4 | 黎明。{H}在{place}边上的棚子里找到被绑着的{F}。
F | 是{foe_role}干的。他们想知道你把{the_aid}放在哪。
H | 关于{thing}，你什么都没说？
F | 没说。快松绑。""",
    """A medium 3 | {H}在{place}把字条放到{F}面前。
H | {the_aid}让你付出了什么？{foe_role}说你知道。
F (quietly) | 我的老铺子。多年前为了{thing}争斗，我把它丢了。现在你知道了。
H | 那这一次，我们{want1}，也保住铺子。""",
    """A medium 3 | {place}的早上。{H}一夜没睡，桌上铺满了清单。
F | {before}又少了一天。我们放下什么？
H | 除了{thing}，什么都放下。
F | 那你去{want2}，其余的我来扛。
V | 我可以跑腿。只要能{want2}，什么都行。""",
    """A medium 3 | {V}在{place}门口等着，眼睛红红的。
V | {foe_role}问我{thing}的事，我为了你撒了谎。
H | 你当着{foe_role}的面撒谎？
V | 我说你已经放弃了。{before}，再没人盯着你了。
A close-up 3 | {H}把{V}紧紧抱住。""",
]

# ------------------------------------------------------------------------------------------------- French
FR = SCENES["fr"]
FR["opening"] = [
    """A wide 4 | {Place}, aux premières lueurs. {H}, {a_role}, est déjà au travail, un œil sur l'horloge.
H | Je dois {want1} {before}. Il n'y aura pas de deuxième essai.
A close-up 3 | {V} regarde depuis le seuil.
V | Tu avais dit que tu me montrerais le métier de {role}.
H (gently) | Promis. Juste après {want1}.
V | Jure-le sur {thing}.
H | Juré.""",
    """A wide 4 | La pluie sur les vitres de {place}. {H}, {a_role}, fait les cent pas et parle seul{e}.
H | Tout le monde dit qu'on ne peut pas {want1} {before}.
A medium 3 | {V} lève les yeux de sa tasse.
V | Alors montre-leur ce que vaut {a_role}. Et emmène-moi.
H | Si j'arrive à {want1}, tu viendras partout avec moi.
V | Partout ? Redis-le, sur {thing}.
H (smiling) | Partout. Sur {thing}.""",
    """A close-up 3 | Un mot écrit à la main, épinglé près de la porte de {place} : {thing}, entouré deux fois.
A wide 4 | {H}, {a_role}, le relit pour la centième fois.
H | Une seule chance de {want1}, et seulement {before}.
V | Et la leçon que tu me dois ? Le vrai métier de {role} ?
H | Le jour où je réussis à {want1}, elle est à toi.
V | Je m'en souviendrai, sur {thing}.""",
]
FR["inciting"] = [
    """A wide 4 | {Place}. Dans la foule, une silhouette s'arrête et se retourne : {X}.
X | Voilà donc {a_role} qui croit pouvoir {want3}.
H | Et toi, tu dois être {foe_role}.
X (smiling) | Oublie {thing}. C'est à moi, maintenant.
A close-up 3 | {H} serre les dents. {X} s'éloigne sans se presser.
F | C'était {foe_role} ? Alors on est déjà en retard {before}.""",
    """A medium 3 | On frappe à la porte de {place}. {F} entre, à bout de souffle.
F | C'est {foe_role}. On dit que {X} a {thing}.
H | Alors {X} sait ce que je dois faire {before}.
F | Tout le monde sait, pour {thing}, maintenant.
A close-up 3 | {H} pose ses outils et attrape un manteau.""",
    """A wide 4 | La nuit. Une lanterne traverse {place}. {X} est là et fixe {H}.
X (O.S.) | Tu n'arriveras jamais à {want2} {before}, {role}.
H | Qui est là ?
A wide 3 | Seul le vent répond. {F} accourt.
F | Cette voix. C'était {foe_role}, j'en suis sûr{fe}.""",
]
FR["plan"] = [
    """A medium 3 | {F} débarrasse une table dans {place} et y pose {aid}.
F | Tu ne battras pas {foe_role} comme d'habitude. Encore ton {flaw}.
H | C'est mon {flaw} qui m'a mené{e} jusqu'ici, moi, {a_role}.
F | C'est aussi lui qui t'a tout fait perdre. Prends ça. Pour {thing}.
A close-up 3 | {H} tourne {aid} dans la lumière, puis l'empoche.""",
    """A medium 3 | {H} et {F} chuchotent au-dessus d'un plan dessiné de {place}.
F | {foe} est fort, mais {foe_role} ne surveille jamais la porte de derrière.
H | Alors j'y vais seul{e}, pour {thing}.
F (angry) | Seule. C'est ton {flaw} qui parle, pas un plan pour {thing}.
A close-up 3 | {F} glisse {aid} dans la main de {H}.
F | Sers-t'en quand tu iras {want2}. Pas avant.""",
    """A medium 3 | Tard dans la nuit, dans {place}. {F} pose {aid} entre deux tasses.
F | Ma mère gardait ça. Ça l'a aidée un jour contre quelqu'un comme {foe_role}.
H | Je n'ai besoin de personne pour {want1}.
F | Voilà ton {flaw}. Chaque {role} que j'ai connu l'avait, et a perdu.
A close-up 3 | Un long silence. {H} prend {aid}.""",
]
FR["attempt"] = [
    """A wide 4 | {H} marche droit sur {X}, au milieu de {place}.
H | Je viens chercher {thing}. Rends-moi ça.
X (amused) | Comme ça ? {a_role} les mains vides ?
H | Je vais {want1}, avec ou sans ta permission.
A wide 3 | {X} claque des doigts. Deux hommes s'interposent, et {H} est repoussé{e} dans la poussière.""",
    """A medium 3 | {H} se glisse seul{e} dans {place} par la porte de côté.
A close-up 3 | Le voilà : {thing}, à portée de main. Une latte grince.
X | Tu croyais vraiment que {foe_role} laisse les portes ouvertes ?
H | Je croyais que {foe_role} dormait, comme tout le monde.
A wide 3 | {H} s'enfuit. Les mains vides.""",
    """A wide 4 | Jour de marché dans {place}. {H} essaie de {want3} devant tout le monde.
X | Regardez-moi ça. {a_role} qui supplie en public.
H | Je ne supplie pas. Je dis la vérité sur {thing}.
X | Ici, on croit celui qui crie le plus fort à propos de {thing}.
A close-up 3 | La foule rit. {H} reste seul{e}.""",
    """A medium 3 | {H} attend devant {place} que {X} sorte.
H | Dis ton prix pour {thing}.
X | Aucun prix que {a_role} pourrait payer.
H | Tout le monde a un prix dans {place}. Même {foe_role}.
A close-up 3 | {X} passe son chemin. {H} reste sous la pluie.""",
    """A wide 4 | La nuit. {H} et {F} escaladent le mur du fond de {place}.
F (whispering) | Si {foe_role} nous attrape ici, tu peux oublier {thing}.
H | Alors {foe_role} ne nous attrapera pas.
A close-up 3 | Un chien aboie. Les lumières s'allument partout dans {place}.
X (O.S.) | Qui est là ?
A wide 3 | {H} et {F} sautent dans la rue et s'enfuient, sans {thing}.""",
    """A wide 4 | Au milieu de {place}, {H} monte sur une caisse et interpelle {X}.
H | Je te défie, devant tout le monde : {thing} ira à qui le mérite.
X | Et qui juge ? Des gens qui doivent de l'argent à {foe_role} ?
H | Des gens qui savent ce que vaut {a_role}.
A wide 3 | Personne ne s'avance. Un à un, ils détournent les yeux de {H}.
X | C'est bien ce que je pensais. {thing_cap} reste chez moi.""",
    """A medium 3 | {H} arrive à {place} déguisé{e}, un panier au bras.
X | Toi. Je reconnais cette démarche. Tu croyais qu'un chapeau cacherait {a_role} ?
H | Je croyais que garder {thing} t'occupait trop.
A wide 3 | Les gens de {X} ferment la porte. {H} s'échappe par la fenêtre de la cuisine, les mains vides.""",
]
FR["cost"] = [
    """A medium 3 | {F} est assis{fe} contre le mur de {place}, un bras bandé.
H | C'est arrivé parce que je suis allé{e} seul{e} chercher {thing}.
F | Oui. Et maintenant tu sais comment se bat {foe_role}.
H (quietly) | Je ne sais plus comment {want1}.
F | Alors arrête de vouloir {want2} seul{e}.""",
    """A medium 3 | {V} est assis{ve} sur la marche de {place}, une tasse cassée à la main.
V | Ils se sont moqués de toi. De chaque {role}.
H | Qu'ils rient. {thing_cap} se moque bien de qui rit.
V | Tu veux toujours {want2} ?
A close-up 3 | {H} s'agenouille et ramasse les morceaux, un par un.""",
    """A wide 4 | Le soir. Les fenêtres de {place} s'éteignent une à une.
H | J'ai perdu ma seule chance de {want1}.
F | Tu as perdu une manche contre {foe_role}. Pas la journée.
H | Et si j'arrive trop tard, {before} ?
F | Alors on perdra {thing} ensemble, pas toi seul{e}.""",
    """A medium 3 | {H} compte des pièces sur la table de {place}. Ce n'est pas assez.
H | Toutes mes économies, et pas même un jour de plus {before}.
F | Alors n'achète pas du temps. Dépense-le pour {thing}.
H | Et si je n'arrive pas non plus à {want1} ?
F | Alors tu seras {a_role} qui a essayé. Ce n'est pas rien.""",
    """A medium 3 | {V} a de la fièvre ; {H} veille au bord du lit, dans {place}.
V | Vas-y. Tu as promis de {want2}.
H | Je te l'ai promis à toi d'abord. {thing_cap} peut attendre une heure.
V | {foe_role} n'attendra pas une heure.
A close-up 3 | {H} reste, et regarde l'horloge.""",
    """A medium 3 | La vitre de {place} est brisée ; par terre, une pierre enveloppée d'un mot : ABANDONNE.
V | Qui ferait ça à {a_role} ?
H | Quelqu'un qui veut {thing} plus qu'il ne veut être aimé.
F | Alors on répare la vitre, et on continue, {before}.
A close-up 3 | {H} balaie le verre, la mâchoire serrée.""",
    """A medium 3 | {F} est assis{fe} dans l'escalier de {place} et compte les coupures sur ses mains.
H | Je t'en ai trop demandé. Tout ça pour {thing}.
F | Tu as demandé. J'ai dit oui. C'est ce que font les amis de {a_role}.
H | Alors laisse-moi porter le reste, {before}.
A close-up 3 | {F} tend les deux mains, et {H} les bande.""",
]
FR["discovery"] = [
    """A medium 4 | Dans l'arrière-salle de {place}, {H} trouve un vieux registre, rempli de l'écriture de {X}.
H | Regarde. {foe_role} n'a jamais eu de droit sur {thing}. Tout est écrit ici.
F | Alors on battra {foe_role} par la vérité, pas avec les poings.
A close-up 3 | Pour la première fois, les yeux de {H} s'allument.""",
    """A medium 4 | {V} entraîne {H} à travers {place} jusqu'à une fenêtre.
V | Chaque nuit, {X} cache {thing} au même endroit. J'ai compté.
H | Tu as compté ? Combien de temps, autour de {foe_role} ?
V | Depuis que tu ne me parles plus de {thing}.
A close-up 3 | {H} éclate de rire et serre {V} dans ses bras.""",
    """A medium 3 | {F} déplie une lettre trouvée dans {place}.
F | Elle est de {X}. {foe_role} n'a peur que d'une chose : être vu.
H | Alors tout le monde verra ce qu'a fait {foe_role}.
A close-up 3 | {H} regarde {the_aid}, puis sourit.""",
    """A medium 4 | {H} trie de vieux papiers dans {place} et s'arrête sur une photo jaunie.
H | {F}, regarde. {X}, il y a des années, à côté de {thing}, souriant.
F | Alors {foe_role} y tenait, autrefois, comme toi.
H | Alors {foe} sait exactement ce que {thing} représente pour {a_role}.""",
    """A medium 3 | {V} entre en courant dans {place}, une page déchirée à la main.
V | {foe_role} a peur ! Quelqu'un d'autre veut {thing}, et arrive {before}.
H | Quelqu'un d'autre ? Alors {foe_role} manque de temps, comme nous.
F | Et la peur rend imprudent. Voilà notre chance contre {foe_role}.""",
    """A medium 3 | {F} amène à {H} un vieil homme qui se souvient de {place} bien avant {X}.
F | Il dit que {thing} n'a jamais dû appartenir à une seule personne. Écoute-le.
H | Alors {foe_role} ment à tout le monde depuis le début.
F | Et les gens qui détestent le mensonge seront du côté de {a_role}.
A close-up 3 | {H} note chaque mot.""",
    """A medium 3 | {V} retire une brique descellée du mur de {place} ; derrière, une liasse de lettres.
V | Elles sont toutes pour {foe_role}. Quelqu'un paie {foe} pour garder {thing}.
H | Paie ? Alors {foe_role} ne veut même pas {thing}. Seulement l'argent.
F | Alors l'argent, c'est le point faible de {foe_role}.
A close-up 3 | {H} noue les lettres avec une ficelle et les cache.""",
]
FR["journey"] = [
    """A wide 5 | {H} et {F} traversent {place} contre le vent, chargés de tout ce qu'ils possèdent.
F | Redis-moi pourquoi on n'attend pas, {before}.
H | Parce qu'attendre, c'est comme ça que {foe_role} gagne.
A wide 3 | La route monte. {V} court pour les rattraper.""",
    """A wide 5 | Une longue marche au crépuscule. {H} porte {the_aid} ; {F} porte le reste.
F | Dans {place}, on dit que {thing} revient à qui le trouve en premier.
H | Alors on trouvera {thing} les premiers.""",
    """A wide 5 | {H} quitte {place} sur la dernière charrette du jour, {the_aid} à la main.
F | Tu sais au moins où {foe_role} garde {thing} ?
H | Non. Mais je sais qui le sait : la personne qui m'a appris à être {a_role}.
A wide 4 | Des collines, puis une rivière, puis une seule fenêtre allumée.""",
    """A wide 5 | La pluie. {H}, {F} et {V} partagent un seul manteau sous un pont, près de {place}.
V | Tu vas toujours {want2} ?
H | À chaque pas, {before}.
F (laughing) | Trempés jusqu'aux os.
A wide 3 | La pluie cesse. Ils repartent, plus vite.""",
    """A wide 5 | Avant l'aube, {H} parcourt seul{e} {place} d'un bout à l'autre, par où {foe} viendra.
H (V.O.) | Chaque pierre de ce chemin, je la connaîtrai {before}.
A wide 4 | {H} marque les coins à la craie : ici pour courir, ici pour se cacher, ici pour tenir.""",
    """A wide 5 | Jour de marché. {H} et {V} poussent une lourde charrette à travers la foule de {place}.
V | Tout le monde nous regarde. Ils savent, pour {thing} ?
H | Qu'ils regardent. Ce soir, ils sauront tous ce que peut faire {a_role}.
A wide 3 | La charrette arrive de l'autre côté de {place}. Personne ne les arrête.""",
]
FR["crisis"] = [
    """A medium 3 | La nuit dans {place}. {F} a disparu ; il ne reste qu'un mot sur la table.
H (reading) | « Ne me cherche pas. {foe_role} veut que tu viennes. » C'est l'écriture de {F}.
V | {foe_role} a enlevé {F} à cause de {thing}. À cause de toi.
H | C'est ma faute.
A close-up 3 | {H} s'assoit dans le noir. L'horloge continue de tourner.""",
    """A medium 3 | {H} fait un sac dans {place}, les mains tremblantes.
V | Tu abandonnes {thing} et tu t'enfuis ?
H | Je te protège de {foe_role}.
V | Personne ne t'a demandé de me protéger. Seulement de {want2}.
A close-up 3 | {H} s'arrête. Le sac tombe et s'ouvre.""",
    """A medium 3 | {H} se tient au milieu des débris, dans {place} : tout est cassé. Il ne reste que {the_aid}, dans la poche de {H}.
H | Je ne peux pas {want1}. Pas maintenant. Pas {before}.
F | Tu as dit ça la dernière fois, pour {thing}.
H (shouting) | La dernière fois, {foe_role} n'avait pas tout cassé !
A close-up 3 | Silence. Puis {V} commence à ramasser les morceaux.""",
    """A medium 3 | {H} s'emporte contre {V} au milieu de {place} ; {V} sort en pleurant.
F | Ça, c'était ton {flaw}, pas toi. {thing_cap} ne vaut pas de perdre {V}.
H (quietly) | Je retrouve {V} d'abord. Ensuite, je vais {want1}.
A wide 4 | La nuit. {V} est assis{ve} sur une marche dehors. {H} s'assoit à côté, et ne dit rien pendant longtemps.""",
    """A wide 4 | La nuit. {H} se tient sur le seuil de {place}, un sac à la main, les yeux sur la route.
V | Si tu pars maintenant, {foe_role} garde {thing} pour toujours.
H | Si je reste, {foe_role} prend tout le reste.
V | Tu as promis. {before}, tu as dit.
A close-up 3 | {H} pose le sac.""",
]
FR["respite"] = [
    """A medium 3 | Tard le soir dans {place}. {H} apprend à {V} le premier geste du métier de {role}.
V | Comme ça ? C'est comme ça que commence {a_role} ?
H | Exactement comme {a_role}. Plus lentement.
V | Quand tu vas {want2}, tu auras encore le temps pour ça ?
H (smiling) | Quand je vais {want1}, on fera ça tous les soirs.""",
    """A wide 4 | {F} et {H} partagent du pain sur le toit de {place}, en regardant les lumières en bas.
F | Tu te souviens de la première fois où tu as voulu être {a_role} ?
H | J'ai tout raté le premier jour. Tu disais que personne ne commence bien dans le métier de {role}.
F | Et regarde-toi maintenant, à courir après {thing} {before}.
A close-up 3 | Ils rient ; pour un instant, {foe} est loin.""",
    """A medium 3 | {V} a préparé le dîner dans {place} : brûlé, de travers, et fier.
V | Je l'ai fait tout{ve} seul{ve}. Même {foe_role} ne cuisinerait pas aussi mal.
H (laughing) | C'est le meilleur repas qu'on m'ait fait {before}.
F | Mange tout. Il te faut des forces pour {want2}.
A close-up 3 | {H} mange jusqu'à la dernière bouchée.""",
    """A medium 3 | La pluie sur le toit de {place}. {F} raccommode le manteau de {H} près du poêle.
F | Ta mère rirait de voir {a_role} avec des trous à chaque manche.
H | Elle me dirait de {want1} d'abord, et de recoudre ensuite.
F | Elle te dirait de manger d'abord. Ensuite, {thing}.
A close-up 3 | {H} sourit et, pour une fois, reste assis{e}.""",
    """A wide 4 | Le soleil couchant entre par les fenêtres de {place}. {H}, {F} et {V} sont assis sur les marches, trop fatigués pour parler.
V | Quand ce sera fini, on pourra avoir une journée sans {thing} ?
H (laughing) | Une journée entière. Je le jure, {before} ou après.
F | Je te prends au mot, {role}.
A close-up 3 | Le soleil disparaît. Personne ne bouge.""",
]
FR["climax"] = [
    """A wide 4 | {Place}. {deadline_now_cap}. {X} brandit {thing} devant tout le monde.
X | Trop tard, {role}. Tout le monde regarde.
H | {F}, maintenant !
A close-up 3 | {F} sort de la foule. {H} lève {the_aid}.
F | Ensemble, comme j'ai dit. Fini, ton {flaw}, {role}.
H | Fini, mon {flaw}. Je suis venu{e} {want1}, et pas seul{e}.
A wide 4 | {the_aid_cap} fait son œuvre. {X} recule, et {thing} tombe entre les mains de {H}.
X (quietly) | Comment {a_role} savait, pour {the_aid} ?
H | Un ami de {a_role} me l'a dit.""",
    """A wide 4 | {deadline_now_cap}. {X} attend au milieu de {place}, calme.
X | Tu es revenu{e}. {a_role} n'apprend jamais.
H | {celle} a appris. {V}, {F}, c'est le moment de {want1}.
A close-up 3 | {V} et {F} s'avancent de chaque côté. {H} tend {the_aid}.
X | Et qu'est-ce que ça peut faire à {foe_role} ?
H | Montrer à tous ce que tu as fait de {thing}.
A wide 4 | La foule se retourne. {X} n'a plus nulle part où se tenir.
F | Ce n'était pas de l'{flaw}. C'était {a_role}.""",
]
FR["resolution"] = [
    """A wide 4 | {Place}, le lendemain matin. {thing_cap} est de retour à sa place.
V | Tu as réussi. Tu as réussi à {want2}.
H | Nous avons réussi. Maintenant, la leçon promise : comment {a_role} commence sa journée.
A close-up 3 | {V} retrousse ses deux manches, tout sourire.
F | Regardez ça. Deux maintenant : {a_role} et son apprenti{ve}.""",
    """A wide 4 | Le soleil se lève sur {place}. Les gens reviennent, lentement.
F | Alors, {role} ? {thing_cap}, ça valait tout ça ?
H | Demande-moi quand j'aurai tenu ma promesse à {V} : le métier de {role}.
A wide 3 | {H} tend ses outils à {V}. La première leçon commence.""",
]
FR["micro_open"] = [
    """A wide 4 | {Place}. {H}, {a_role}, regarde l'horloge.
V | Prends ça, {role}.
H | Pour quoi faire ?
A close-up 3 | {V} glisse {aid} dans la main de {H}.
H | Pour {want1} {before}.""",
    """A wide 4 | {Place}, tôt le matin. {H}, {a_role}, fait son sac.
V | Pas sans ça, {role}.
H | Merci.
A close-up 3 | {V} tend {aid} à {H}.
H | Je vais {want1} {before}. Promis.""",
    """A wide 4 | {Place}. {H}, {a_role}, fixe une date entourée.
V | Tu en auras besoin, {role}.
H | Tu crois ?
A close-up 3 | {V} attache {aid} au poignet de {H}.
H | Alors je vais {want1} {before}.""",
]
FR["micro_end"] = [
    """A wide 4 | {X} barre le passage, {thing} à la main.
X | Pas tant que {foe_role} sera là.
A close-up 3 | {H} lève {the_aid}. {X} recule.
A wide 3 | {thing_cap} est sauvé. {V} applaudit.
H | Voilà pour {foe_role}.""",
    """A wide 4 | {X} attend près de la porte, les bras croisés.
X | Oublie {thing}.
A close-up 3 | {H} montre {the_aid}. {X} pâlit.
A wide 3 | {H} passe devant {X} avec {thing}.
H | Je l'avais dit : {before}.""",
    """A wide 4 | {X} se retourne, {thing} dans le dos.
X | Encore toi, {role} ?
A close-up 3 | {the_aid_cap} accroche la lumière. {X} recule.
A wide 3 | {H} et {V} rentrent avec {thing}.
H | Encore moi. Pour {thing}.""",
]
FR["hook"] = [
    """A wide 4 | La nuit dans {place}. {X} ouvre une boîte : dedans, {thing}, et une photo de {V}.
X | Que {a_role} vienne donc. Je l'attendrai ici, à {place}.""",
    """A medium 3 | {H} rentre dans {place}. La porte est ouverte. {F} n'est plus là.
H | {F} ? {F} ! Qui a emmené {F}, et pourquoi maintenant, {before} ?""",
    """A close-up 3 | {H} déplie un mot laissé sur l'étagère vide de {place}, là où était {thing}.
H (reading) | « Je sais tout de {the_aid}. Demande à {F} ce que ça a coûté, la dernière fois qu'on voulait {thing}. » Signé : {foe}.""",
    """A wide 4 | Le soir dans {place}. Un messager cloue une affiche sur la porte : {deadline_now_cap}, un jour plus tôt.
H | Un jour plus tôt ? Personne ne peut {want1} en un jour.
X (O.S.) | Alors laisse {thing}, petit{e} {role}.""",
    """A medium 3 | La nuit. Par une fenêtre de {place}, {H} voit {V} donner quelque chose à {X}.
H (quietly) | {V} ? Avec {foe_role} ? Pourquoi aider {foe} à garder {thing} ?""",
]
FR["return"] = [
    """A medium 3 | Le matin. {H} raconte à {F} la photo de {V} dans la boîte de {X}.
F | {foe_role} a {thing} et une photo de {V} ? Alors {V} reste avec moi.
H | Et moi, je vais chercher {thing} avant que {foe} s'en prenne à {V}.""",
    """A wide 4 | L'aube. {H} retrouve {F} ligoté{fe} dans une remise au bord de {place}.
F | C'était {foe_role}. Ils voulaient savoir où tu caches {the_aid}.
H | Et tu ne leur as rien dit sur {thing} ?
F | Rien. Détache-moi.""",
    """A medium 3 | {H} pose le mot devant {F}, dans {place}.
H | Qu'est-ce que {the_aid} t'a coûté ? {foe_role} dit que tu le sais.
F (quietly) | Ma vieille boutique. Je l'ai perdue il y a des années, à me battre pour {thing}. Voilà.
H | Alors cette fois, on va {want1}, et garder la boutique.""",
    """A medium 3 | Le matin dans {place}. {H} n'a pas dormi ; des listes couvrent la table.
F | Un jour de moins, {before}. Qu'est-ce qu'on laisse tomber ?
H | Tout ce qui n'est pas {thing}.
F | Alors toi, tu vas {want2}, et moi je porte tout le reste.
V | Je peux faire les courses. Tout ce qu'il faut pour {want2}.""",
    """A medium 3 | {V} attend à la porte de {place}, les yeux rouges.
V | {foe_role} m'a questionné{ve} sur {thing}. J'ai menti, pour toi.
H | Tu as menti en face de {foe_role} ?
V | J'ai dit que tu avais abandonné. Plus personne ne te surveille, {before}.
A close-up 3 | {H} prend {V} dans ses bras, longtemps.""",
]

__all__ = ["SCENES", "PREMISE_SLOTS"]
