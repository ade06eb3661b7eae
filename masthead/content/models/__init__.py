from .articles import ArticleAuthor, ArticleIndexPage, ArticlePage, ArticleTag
from .authors import AuthorIndexPage, AuthorLink, AuthorPage
from .home import HomePage
from .picks import EditorsPick, EditorsPicks
from .roundups import RoundupIndexPage, RoundupItem, RoundupPage
from .sections import SectionPage
from .standard import StandardPage

__all__ = [
    "ArticleAuthor",
    "ArticleIndexPage",
    "ArticlePage",
    "ArticleTag",
    "AuthorIndexPage",
    "AuthorLink",
    "AuthorPage",
    "EditorsPick",
    "EditorsPicks",
    "HomePage",
    "RoundupIndexPage",
    "RoundupItem",
    "RoundupPage",
    "SectionPage",
    "StandardPage",
]
