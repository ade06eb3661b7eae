"""Generated newsroom prose for demo and test content: our own templates, fictional places and people.

Nothing here is real reporting. A seeded random.Random makes every run produce the same newsroom.
"""

CITIES = [
    "Northbridge",
    "Varena",
    "Kostel",
    "Dalmir",
    "Port Aster",
    "Lysk",
    "Orlen",
    "Tarnow Heights",
]
REGIONS = [
    "the eastern region",
    "the southern coast",
    "the river valley",
    "the northern border",
    "the capital",
]
OFFICIALS = [
    "the regional governor",
    "the mayor",
    "the energy minister",
    "the head of the civil defence service",
    "a spokesperson for the armed forces",
    "the prime minister",
    "the central bank",
    "the health ministry",
]
SUBJECTS = {
    "War": [
        ("Overnight drone attack damages power station near {city}", "power station"),
        ("Air defence units intercept missiles over {region}", "air defence"),
        ("Evacuation continues from frontline villages outside {city}", "evacuation"),
        ("Engineers restore rail link to {city} after shelling", "rail link"),
        ("Volunteers rebuild shelter network in {city}", "shelters"),
    ],
    "Politics": [
        ("Parliament debates new mobilisation rules", "mobilisation bill"),
        (
            "{official_cap} faces questions over reconstruction contracts",
            "reconstruction contracts",
        ),
        ("Coalition agrees on wartime budget after late-night talks", "budget"),
        ("Local councils in {region} demand more say over aid", "local councils"),
        ("Anti-corruption agency opens inquiry into fuel imports", "fuel imports"),
    ],
    "Business": [
        ("Grain exporters in {city} find new routes to market", "grain exports"),
        ("Small businesses in {city} reopen after months of blackouts", "small businesses"),
        ("Central bank holds interest rate as inflation eases", "interest rate"),
        ("IT companies move servers underground in {city}", "IT sector"),
        ("Farmers in {region} count the cost of mined fields", "farming"),
    ],
    "Culture": [
        ("Theatre in {city} stages first premiere since the invasion", "theatre"),
        ("Museum staff in {city} hide collections from the shelling", "museums"),
        ("A new generation of songwriters sings about the war", "music"),
        ("Libraries in {region} become warm rooms in winter", "libraries"),
        ("Film festival returns to {city} with shelter screenings", "film"),
    ],
    "Opinion": [
        ("What the world still misunderstands about {region}", "commentary"),
        ("Reconstruction must start with the people who stayed in {city}", "reconstruction"),
        ("Why independent journalism matters most in wartime", "journalism"),
        ("Our allies should listen to the mayors of {region}", "diplomacy"),
        ("The quiet courage of the energy workers of {city}", "energy workers"),
    ],
}
OPENINGS = [
    "Residents of {city} woke before dawn to the sound of sirens, and by morning {official} had confirmed {detail}.",
    "For the third week running, {official} said the situation in {region} remained difficult but under control.",
    "The decision, announced on {weekday}, follows months of pressure from people living in {city}.",
    "Nobody in {city} expected the {topic} to become the story of the winter, yet here we are.",
]
MIDDLES = [
    "Local officials said {number} people had been affected, a figure they expected to change as crews reached "
    "outlying districts.",
    "“We are doing what we can with what we have,” {official} told our reporter, standing beside a generator.",
    "Independent analysts cautioned that the figures could not yet be verified and that the picture "
    "in {region} was changing by the hour.",
    "Engineers worked through the night in temperatures below freezing, rotating in shifts of four hours.",
    "The {topic} has become a test of how the country manages a long war without losing its public services.",
    "Families who left {city} last spring have started to return, though many say they keep a bag packed.",
    "Aid groups warned that supplies would run short if the roads into {region} were cut again.",
    "In a statement, {official} promised a full account once the damage had been assessed.",
    "Our reporters visited {city} on {weekday} and spoke to more than a dozen residents.",
    "Costs have risen by roughly {number} percent since the start of the year, according to local traders.",
]
CLOSINGS = [
    "We will update this story as more information becomes available.",
    "Masthead could not independently verify every claim in this report.",
    "The next session on the issue is expected later this month.",
    "For now, the people of {city} are doing what they have done since the war began: carrying on.",
]
QUOTES = [
    "We have learned to live between the sirens.",
    "Every repaired line is a small victory, and we count them.",
    "People here are tired, but nobody is giving up.",
    "Information is part of our defence; rumours are part of theirs.",
]
FEED_LINES = [
    "Air raid alert declared in {region}. Residents are urged to go to shelters.",
    "All-clear sounded in {city} after a two-hour alert.",
    "{official_cap} says power has been restored to most homes in {city}.",
    "Rail operator reports delays of up to three hours on lines through {region}.",
    "Explosions heard in {city}; officials have not yet said what was hit.",
    "Parliament committee approves the draft budget for the coming year.",
    "Aid convoy reaches {city} with food, medicine and generators.",
    "Schools in {region} move lessons online for the rest of the week.",
    "Emergency services say {number} people were rescued from a damaged building in {city}.",
    "Water supply in parts of {city} will be cut tomorrow for repairs.",
]
FIRST_NAMES = [
    "Olena",
    "Taras",
    "Mariia",
    "Andrii",
    "Iryna",
    "Dmytro",
    "Sofiia",
    "Yurii",
    "Kateryna",
]
LAST_NAMES = [
    "Kovalenko",
    "Marchenko",
    "Hrytsenko",
    "Bondar",
    "Lysenko",
    "Savchuk",
    "Tkachenko",
    "Moroz",
]
JOB_TITLES = [
    "Chief Executive Officer",
    "Editor-in-Chief",
    "Senior War Correspondent",
    "Political Editor",
    "Business Reporter",
    "Culture Writer",
    "Opinion Editor",
    "Photo Editor",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TAGS = [
    "energy",
    "reconstruction",
    "air defence",
    "evacuation",
    "budget",
    "agriculture",
    "culture",
    "diplomacy",
    "civil defence",
    "economy",
]


class Writer:
    """Fills the templates above with a seeded random source."""

    def __init__(self, rng):
        self.rng = rng

    def _fill(self, template, **extra):
        official = self.rng.choice(OFFICIALS)
        values = {
            "city": self.rng.choice(CITIES),
            "region": self.rng.choice(REGIONS),
            "official": official,
            "official_cap": official[0].upper() + official[1:],
            "weekday": self.rng.choice(WEEKDAYS),
            "number": self.rng.randint(3, 240),
            "detail": "that repair crews were on their way",
            "topic": "situation",
        }
        values.update(extra)
        return template.format(**values)

    def headline(self, section):
        template, topic = self.rng.choice(SUBJECTS.get(section, SUBJECTS["War"]))
        return self._fill(template), topic

    def summary(self, topic):
        return self._fill(
            "What we know about the {topic} in {city}, and what {official} says comes next.",
            topic=topic,
        )

    def paragraphs(self, topic, count):
        paras = [self._fill(self.rng.choice(OPENINGS), topic=topic)]
        for _ in range(count - 2):
            sentences = self.rng.sample(MIDDLES, k=self.rng.randint(2, 4))
            paras.append(" ".join(self._fill(s, topic=topic) for s in sentences))
        paras.append(self._fill(self.rng.choice(CLOSINGS), topic=topic))
        return paras

    def quote(self):
        return self.rng.choice(QUOTES), self._fill("{official_cap}")

    def feed_line(self):
        return self._fill(self.rng.choice(FEED_LINES))

    def person(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def bio(self, name, job_title):
        return self._fill(
            "<p>{name} is Masthead's {job}. Before joining the newsroom they reported from {city} "
            "and {region}.</p>",
            name=name,
            job=job_title.lower(),
        )
