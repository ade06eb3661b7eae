"""Generated prose for the Ukrainian edition of the demo: our own templates, the same fictional
places and people as writing.py, declined as Ukrainian needs them.

A Ukrainian article in the demo is a translation of an English one: it takes the English story's
section, topic and city, and writes about them in Ukrainian.
"""

from .writing import CITIES

# Each fictional city: nominative, genitive ("біля Варени"), locative ("у Варені").
CITY_FORMS = {
    "Northbridge": ("Нортбрідж", "Нортбріджа", "Нортбріджі"),
    "Varena": ("Варена", "Варени", "Варені"),
    "Kostel": ("Костель", "Костеля", "Костелі"),
    "Dalmir": ("Далмир", "Далмира", "Далмирі"),
    "Port Aster": ("Порт-Астер", "Порт-Астера", "Порт-Астері"),
    "Lysk": ("Лиськ", "Лиська", "Лиську"),
    "Orlen": ("Орлен", "Орлена", "Орлені"),
    "Tarnow Heights": ("Тарнівські Висоти", "Тарнівських Висот", "Тарнівських Висотах"),
}
assert set(CITY_FORMS) == set(CITIES)

# Regions: genitive ("зі східного регіону") and locative ("у східному регіоні").
REGIONS = [
    ("східного регіону", "у східному регіоні"),
    ("південного узбережжя", "на південному узбережжі"),
    ("річкової долини", "у річковій долині"),
    ("північного кордону", "на північному кордоні"),
    ("столиці", "у столиці"),
]
# Officials: nominative and genitive ("за словами мера").
OFFICIALS = [
    ("голова обласної адміністрації", "голови обласної адміністрації"),
    ("мер", "мера"),
    ("міністр енергетики", "міністра енергетики"),
    ("голова служби цивільного захисту", "голови служби цивільного захисту"),
    ("речник збройних сил", "речника збройних сил"),
    ("прем'єр-міністр", "прем'єр-міністра"),
    ("центральний банк", "центрального банку"),
    ("міністерство охорони здоров'я", "міністерства охорони здоров'я"),
]
# The English stories' topics, as the Ukrainian headline and the topic in the accusative.
STORIES = {
    "power station": (
        "Нічна атака дронів пошкодила електростанцію біля {city_gen}",
        "електростанцію",
    ),
    "air defence": ("Протиповітряна оборона збила ракети {region_loc}", "протиповітряну оборону"),
    "evacuation": ("Евакуація з прифронтових сіл біля {city_gen} триває", "евакуацію"),
    "rail link": (
        "Інженери відновили залізницю до {city_gen} після обстрілу",
        "залізничне сполучення",
    ),
    "shelters": ("Волонтери відбудовують мережу укриттів у {city_loc}", "укриття"),
    "mobilisation bill": (
        "Парламент обговорює нові правила мобілізації",
        "законопроєкт про мобілізацію",
    ),
    "reconstruction contracts": (
        "До посадовців є питання щодо контрактів на відбудову",
        "контракти на відбудову",
    ),
    "budget": ("Коаліція погодила воєнний бюджет після нічних переговорів", "бюджет"),
    "local councils": (
        "Місцеві ради {region_gen} хочуть більше впливу на допомогу",
        "місцеві ради",
    ),
    "fuel imports": ("Антикорупційне агентство розслідує імпорт пального", "імпорт пального"),
    "grain exports": (
        "Експортери зерна з {city_gen} знаходять нові шляхи на ринки",
        "експорт зерна",
    ),
    "small businesses": (
        "Малий бізнес у {city_loc} відкривається після місяців без світла",
        "малий бізнес",
    ),
    "interest rate": (
        "Центральний банк зберіг облікову ставку: інфляція сповільнюється",
        "облікову ставку",
    ),
    "IT sector": ("IT-компанії в {city_loc} переносять сервери під землю", "IT-галузь"),
    "farming": ("Фермери {region_gen} рахують збитки від замінованих полів", "фермерство"),
    "theatre": ("Театр у {city_loc} показав першу прем'єру від початку вторгнення", "театр"),
    "museums": ("Музейники в {city_loc} ховають колекції від обстрілів", "музеї"),
    "music": ("Нове покоління авторів пісень співає про війну", "музику"),
    "libraries": ("Бібліотеки {region_gen} взимку стають пунктами незламності", "бібліотеки"),
    "film": ("Кінофестиваль повертається до {city_gen} з показами в укриттях", "кіно"),
    "commentary": ("Чого світ досі не розуміє про життя {region_loc}", "цю тему"),
    "reconstruction": (
        "Відбудова має починатися з людей, які залишилися в {city_loc}",
        "відбудову",
    ),
    "journalism": ("Чому незалежна журналістика найважливіша під час війни", "журналістику"),
    "diplomacy": ("Союзникам варто дослухатися до мерів {region_gen}", "дипломатію"),
    "energy workers": ("Тиха мужність енергетиків із {city_gen}", "енергетиків"),
}
WEEKDAYS = ["понеділок", "вівторок", "середу", "четвер", "п'ятницю", "суботу", "неділю"]
OPENINGS = [
    "Мешканці {city_gen} прокинулися до світанку від звуку сирен, а вранці {official} підтвердив, "
    "що ремонтні бригади вже в дорозі.",
    "Уже третій тиждень поспіль {official} каже, що ситуація {region_loc} складна, але під контролем.",
    "Рішення, оголошене в {weekday}, ухвалили після місяців тиску з боку мешканців {city_gen}.",
    "Ніхто в {city_loc} не очікував, що саме це стане головною історією зими.",
]
MIDDLES = [
    "За словами місцевих посадовців, постраждали {number} людей; ця цифра може змінитися, коли "
    "рятувальники дістануться віддалених районів.",
    "«Робимо, що можемо, з тим, що маємо», — сказав нашому репортерові {official}, стоячи біля генератора.",
    "Незалежні аналітики застерігають, що цифри ще неможливо перевірити, а ситуація {region_loc} "
    "змінюється щогодини.",
    "Інженери працювали всю ніч на морозі, змінюючи одне одного кожні чотири години.",
    "Для країни це перевірка: чи вдасться витримати довгу війну, не втративши державних послуг.",
    "Родини, які виїхали з {city_gen} минулої весни, почали повертатися, хоча багато хто тримає "
    "тривожну валізку напоготові.",
    "Гуманітарні організації попереджають, що запасів забракне, якщо дороги {region_loc} знову перекриють.",
    "У заяві {official} пообіцяв повний звіт, щойно збитки оцінять.",
    "Наші репортери побували в {city_loc} у {weekday} й поговорили з понад десятком мешканців.",
    "За даними місцевих торговців, ціни зросли приблизно на {number} відсотків від початку року.",
]
CLOSINGS = [
    "Ми оновлюватимемо цей матеріал, щойно з'являтиметься нова інформація.",
    "Masthead не зміг незалежно перевірити кожне твердження в цьому матеріалі.",
    "Наступне обговорення цього питання очікують наприкінці місяця.",
    "А поки що люди в {city_loc} роблять те, що роблять від початку війни: живуть далі.",
]
QUOTES = [
    "Ми навчилися жити між сиренами.",
    "Кожна відновлена лінія — маленька перемога, і ми їх рахуємо.",
    "Люди тут утомилися, але ніхто не здається.",
    "Інформація — частина нашої оборони, чутки — частина їхньої.",
]
FEED_LINES = [
    "Повітряна тривога {region_loc}. Мешканців закликають пройти в укриття.",
    "У {city_loc} оголосили відбій після двогодинної тривоги.",
    "{official_cap}: електропостачання відновлено в більшості будинків {city_gen}.",
    "Залізниця попереджає про затримки до трьох годин на лініях {region_loc}.",
    "У {city_loc} чути вибухи; посадовці ще не повідомили, що саме було уражено.",
    "Парламентський комітет схвалив проєкт бюджету на наступний рік.",
    "Гуманітарний конвой доставив до {city_gen} їжу, ліки та генератори.",
    "Школи {region_loc} до кінця тижня переходять на дистанційне навчання.",
    "Рятувальники повідомляють, що з пошкодженого будинку в {city_loc} врятували {number} людей.",
    "Завтра в частині {city_gen} тимчасово не буде води через ремонт.",
]
# The demo's sections and pages, as the Ukrainian edition names them.
SECTION_TITLES = {
    "War": "Війна",
    "Politics": "Політика",
    "Business": "Економіка",
    "Culture": "Культура",
    "Opinion": "Думки",
}
JOB_TITLES = {
    # Ukrainian job titles in their usual generic (masculine) form: the demo's names are random.
    "Chief Executive Officer": "Генеральний директор",
    "Editor-in-Chief": "Головний редактор",
    "Senior War Correspondent": "Старший воєнний кореспондент",
    "Political Editor": "Редактор відділу політики",
    "Business Reporter": "Економічний журналіст",
    "Culture Writer": "Оглядач культури",
    "Opinion Editor": "Редактор розділу думок",
    "Photo Editor": "Фоторедактор",
}
NAMES = {
    "Olena": "Олена",
    "Taras": "Тарас",
    "Mariia": "Марія",
    "Andrii": "Андрій",
    "Iryna": "Ірина",
    "Dmytro": "Дмитро",
    "Sofiia": "Софія",
    "Yurii": "Юрій",
    "Kateryna": "Катерина",
    "Kovalenko": "Коваленко",
    "Marchenko": "Марченко",
    "Hrytsenko": "Гриценко",
    "Bondar": "Бондар",
    "Lysenko": "Лисенко",
    "Savchuk": "Савчук",
    "Tkachenko": "Ткаченко",
    "Moroz": "Мороз",
}


TAGS = {
    "energy": "енергетика",
    "reconstruction": "відбудова",
    "air defence": "протиповітряна оборона",
    "evacuation": "евакуація",
    "budget": "бюджет",
    "agriculture": "сільське господарство",
    "culture": "культура",
    "diplomacy": "дипломатія",
    "civil defence": "цивільний захист",
    "economy": "економіка",
}


def person(name):
    """An English demo name in Ukrainian ('Olena Bondar' -> 'Олена Бондар')."""
    return " ".join(NAMES.get(part, part) for part in name.split())


def city_in(text):
    """The fictional city an English headline is about, if any."""
    return next((city for city in CITIES if city in text), None)


class UkrainianWriter:
    """Fills the templates above with a seeded random source, about a given city where there is one."""

    def __init__(self, rng):
        self.rng = rng

    def _fill(self, template, city=None, **extra):
        city = city or self.rng.choice(CITIES)
        nominative, genitive, locative = CITY_FORMS[city]
        region_gen, region_loc = self.rng.choice(REGIONS)
        official, official_gen = self.rng.choice(OFFICIALS)
        values = {
            "city": nominative,
            "city_gen": genitive,
            "city_loc": locative,
            "region_gen": region_gen,
            "region_loc": region_loc,
            "official": official,
            "official_gen": official_gen,
            "official_cap": official[0].upper() + official[1:],
            "weekday": self.rng.choice(WEEKDAYS),
            "number": self.rng.randint(3, 240),
            "topic": "ця тема",
        }
        values.update(extra)
        return template.format(**values)

    def headline(self, topic, city=None):
        template, _accusative = STORIES[topic]
        return self._fill(template, city)

    def summary(self, topic, city=None):
        return self._fill(
            "Що відомо про {subject} в {city_loc} і що, за словами {official_gen}, буде далі.",
            city,
            subject=STORIES[topic][1],
        )

    def paragraphs(self, topic, count, city=None):
        subject = STORIES[topic][1]
        paras = [self._fill(self.rng.choice(OPENINGS), city, topic=subject)]
        for _ in range(count - 2):
            sentences = self.rng.sample(MIDDLES, k=self.rng.randint(2, 4))
            paras.append(" ".join(self._fill(s, city) for s in sentences))
        paras.append(self._fill(self.rng.choice(CLOSINGS), city))
        return paras

    def quote(self):
        return self.rng.choice(QUOTES), self._fill("{official_cap}")

    def feed_line(self):
        return self._fill(self.rng.choice(FEED_LINES))
