"""How much a source can carry: a reliability grade for every source, as intelligence analysts
grade theirs.

Grades, strongest first (``GRADES``):

==========  ===========================================================================
official    a government, parliament, armed force, court or intergovernmental body
            speaking for itself (a ``.gov``/``.go.jp``/``.gov.uk``/``.mil`` host, or one
            of the official hosts named in ``OFFICIAL``)
major       a major news organization or national wire agency (``MAJOR``)
specialist  a research institute, specialist defence or regional outlet, university or
            scholarly publisher (``SPECIALIST``; any ``.edu`` or ``.ac.XX`` host)
secondary   any other host: a source to corroborate, not to rest on alone
weak        encyclopedias anyone edits, blogs, aggregators and reposts, press-release
            wires, staging and catalogue hosts (``WEAK``)
==========  ===========================================================================

A source's grade is the one its record names (``grade:`` in the source registry: the analyst's
judgement always wins), else the rule for its URL's host: the tool's own rules below, one table
per grade, never a hand-kept list per relation. An archived copy (``web.archive.org/web/.../URL``)
is graded by the page it archives. A source without a URL is ``secondary`` unless it says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from .vocab import GRADES

RANK = {g: i for i, g in enumerate(GRADES)}  # 0 is the strongest

# Host rules: a host matches an entry when it is that domain or a subdomain of it.
OFFICIAL = frozenset({
    "asean.org", "asean2021.bn", "un.org", "nato.int", "europa.eu", "elysee.fr", "korea.net", "kremlin.ru",
    "parliament.uk", "worldjpn.net", "usembassy.gov", "china-embassy.org", "chinaconsulate.org.nz",
    "timor-leste.gov.tl", "pna.gov.ph", "president.go.kr", "pm.gc.ca",
})  # fmt: skip
MAJOR = frozenset({
    # wires and international broadcasters
    "reuters.com", "apnews.com", "afp.com", "bloomberg.com", "bbc.com", "bbc.co.uk", "aljazeera.com", "voanews.com",
    "rfi.fr", "france24.com", "dw.com", "efe.com", "upi.com", "europe1.fr", "time.com", "cnn.com", "cnbc.com",
    "nytimes.com", "washingtonpost.com", "wsj.com", "ft.com", "theguardian.com", "latimes.com", "the-independent.com",
    "economist.com", "politico.com", "axios.com", "newrepublic.com", "arabnews.com", "arabnews.jp",
    # Japan
    "japantimes.co.jp", "yomiuri.co.jp", "asahi.com", "mainichi.jp", "nikkei.com", "kyodonews.net", "nhk.or.jp",
    "jiji.com", "nippon.com", "japantoday.com",
    # the Philippines
    "mb.com.ph", "inquirer.net", "philstar.com", "manilatimes.net", "abs-cbn.com", "gmanetwork.com", "rappler.com",
    "bworldonline.com", "businessmirror.com.ph", "tribune.net.ph", "sunstar.com.ph", "manila-shimbun.com",
    "newswatchplus.ph", "dzrh.com.ph", "ptvnews.ph",
    # Southeast Asia
    "straitstimes.com", "channelnewsasia.com", "todayonline.com", "thestar.com.my", "nst.com.my", "malaymail.com",
    "bernama.com", "nationthailand.com", "bangkokpost.com", "phnompenhpost.com", "thejakartapost.com",
    "antaranews.com", "jakartaglobe.id", "kontan.co.id", "vnexpress.net", "tuoitrenews.vn", "vietnamnews.vn",
    "vietnamplus.vn", "vnanet.vn", "vov.vn", "vovworld.vn", "hanoitimes.vn", "sggp.org.vn", "qdnd.vn",
    "baochinhphu.vn", "borneobulletin.com.bn", "laotiantimes.com", "thedailystar.net", "bssnews.net",
    # East Asia
    "scmp.com", "koreaherald.com", "joins.com", "hani.co.kr", "kbs.co.kr", "yna.co.kr", "taipeitimes.com",
    "people.cn", "chinadaily.com.cn", "chinadailyhk.com", "globaltimes.cn", "news.cn", "xinhuanet.com", "cgtn.com",
    "china.org.cn", "ecns.cn", "shine.cn", "bjreview.com", "tass.com", "interfax.com", "rferl.org",
    # South Asia and the Pacific
    "thehindu.com", "hindustantimes.com", "indianexpress.com", "timesofindia.indiatimes.com", "ndtv.com",
    "business-standard.com", "livemint.com", "deccanherald.com", "tribuneindia.com", "newindianexpress.com",
    "theprint.in", "thewire.in", "abc.net.au", "smh.com.au", "theage.com.au", "afr.com", "rnz.co.nz",
    "nzherald.co.nz", "nbr.co.nz", "fijilive.com", "mvariety.com",
})  # fmt: skip
SPECIALIST = frozenset({
    "thediplomat.com", "usni.org", "csis.org", "lowyinstitute.org", "aspistrategist.org.au", "iiss.org", "rand.org",
    "cnas.org", "piie.com", "nbr.org", "pacforum.org", "eastasiaforum.org", "brookings.edu", "cfr.org", "sipri.org",
    "correlatesofwar.org", "atopdata.org", "navalnews.com", "janes.com", "defensenews.com", "army-technology.com",
    "airandspaceforces.com", "benarnews.org", "maritime-executive.com",
    "asianmilitaryreview.com", "cambridge.org", "taylorfrancis.com", "jstor.org",
    "adst.org", "nzhistory.net.nz", "cogitasia.com", "chinausfocus.com", "amti.csis.org", "crisisgroup.org",
    "carnegieendowment.org", "stimson.org", "warontherocks.com", "38north.org", "j-defense.ikaros.jp",
})  # fmt: skip
# weak hosts, each with the reason a reader is given
WEAK_REASONS: dict[str, str] = {
    "encyclopedia anyone can edit": "wikipedia.org wikiwand.com",
    "children's encyclopedia": "kids.britannica.com kiddle.co",
    "blog": "blogspot.com wordpress.com medium.com substack.com pitzdefanalysis.net alert5.com "
            "asiapacificdefensejournal.com",
    "aggregator or repost": "menafn.com devdiscourse.com newser.com newscord.org htsyndication.com thefreelibrary.com "
                            "marketscreener.com mongolianbusinessdatabase.com yahoo.com msn.com newsbreak.com "
                            "ground.news globalsecurity.org spacewar.com pdfslide.us scribd.com realclearworld.com",
    "press-release repost": "einpresswire.com prnewswire.com globenewswire.com businesswire.com wired-gov.net",
    "small or AI-style site, or a copy of another outlet": (
        "japanbullet.com tbh.center kabarnusa.com newsx.com thewellnews.com indoneo.com heraldk.com thehawk.in "
        "twocircles.net newsonjapan.com malaysianow.net thephilbiznews.com powerkoream.co.kr "
        "filipinojapanesejournal.com bccjacumen.com chinamilwatch.org ianslive.in bomboradyo.com manila-stv.ph "
        "asianetnews.com"),
    "page not found at the cited address": "signalng.com bureaucrat.news",
    "catalogue or file host": "books.google.com books.google.com.tw spydus.com.sg",
}  # fmt: skip
WEAK: dict[str, str] = {host: why for why, hosts in WEAK_REASONS.items() for host in hosts.split()}
_OFFICIAL_HOST = re.compile(r"(^|\.)(gov|mil|int)(\.[a-z]{2})?$|\.(go|gouv|gob|govt|gc|mil|mofa|gov)\.[a-z]{2}$")
_ACADEMIC_HOST = re.compile(r"(^|\.)edu(\.[a-z]{2})?$|\.ac\.[a-z]{2}$")
_STAGING = re.compile(r"^beta|-dev\.|staging|^core-prod\.|^preview\.")
_FILE_HOST = re.compile(r"^ia\d+\.us\.archive\.org$")
_ARCHIVED = re.compile(r"^https?://(?:web\.)?archive\.org/web/[^/]+/(.+)$")


def host_of(url: str) -> str:
    """The lower-case host of a URL, without ``www.`` and any trailing dot ('' when none)."""
    archived = _ARCHIVED.match(url)
    if archived:
        inner = archived.group(1)
        url = inner if "://" in inner else "http://" + inner
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def _under(host: str, domains: frozenset[str]) -> bool:
    return any(d in domains for d in _suffixes(host))


def weak_reason(url: str | None) -> str | None:
    """Why a URL is a weak source, or None when it is not (or there is none): a host with a trailing dot, a
    site's home page rather than the document, a staging or file host, or a host of ``WEAK``.

    >>> weak_reason("https://www.pm.gov.au/?page=1"), weak_reason("https://www.mofa.go.jp/a.html")
    ('a home page, not the document', None)
    """
    if not url:
        return None  # a source without a URL (the starting article) is graded by its record
    archived = _ARCHIVED.match(url)
    if archived:
        return weak_reason(archived.group(1) if "://" in archived.group(1) else "http://" + archived.group(1))
    try:
        parts = urlsplit(url)
        raw = parts.hostname or ""
    except ValueError:
        return "not a URL"
    if not raw:
        return "not a URL"
    if parts.netloc.endswith(".") or raw.endswith("."):
        return "host with a trailing dot"
    if parts.path in ("", "/"):
        return "a home page, not the document"
    host = host_of(url)
    if _STAGING.search(host):
        return "staging host"
    if _FILE_HOST.match(host):
        return "catalogue or file host"
    return next((WEAK[d] for d in _suffixes(host) if d in WEAK), None)


def _suffixes(host: str) -> list[str]:
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def grade_of_url(url: str | None) -> str:
    """The grade the host rules give a URL (``secondary`` for none or an unknown host; ``weak``
    for what ``weak_reason`` names).

    >>> [grade_of_url(u) for u in ("https://www.mofa.go.jp/x", "https://en.wikipedia.org/wiki/X",
    ...                            "https://mb.com.ph/2026/5/28/x", "https://amti.csis.org/x",
    ...                            "https://web.archive.org/web/2019/https://www.gov.uk/x", "https://example.org/x")]
    ['official', 'weak', 'major', 'specialist', 'official', 'secondary']
    """
    if not url:
        return "secondary"
    if weak_reason(url) is not None:
        return "weak"
    host = host_of(url)
    if _under(host, OFFICIAL) or _OFFICIAL_HOST.search(host):
        return "official"
    if _under(host, SPECIALIST) or _ACADEMIC_HOST.search(host):
        return "specialist"
    if _under(host, MAJOR):
        return "major"
    return "secondary"


def grade_of(source: dict) -> str:
    """A source's grade: its own ``grade`` when the registry gives one, else its URL's."""
    own = source.get("grade")
    if own in GRADES:
        return own
    return grade_of_url(source.get("url"))


def check_grade(value: str) -> str:
    """A ``--min-grade`` value, checked (``UsageError`` naming the grades otherwise)."""
    from .errors import UsageError

    g = value.strip().lower()
    if g not in GRADES:
        raise UsageError(f"--min-grade: unknown grade {value!r} (grades, strongest first: {', '.join(GRADES)})")
    return g


def grades_of(refs: Iterable[str], source: Callable[[str], dict | None]) -> list[str]:
    """The grade of each source a record cites (a URL cited directly is graded by its host)."""
    out = []
    for ref in refs:
        src = source(ref)
        out.append(grade_of(src) if src is not None else grade_of_url(ref if "://" in ref else None))
    return out


def best(grades: Iterable[str]) -> str | None:
    """The strongest of some grades (None for none)."""
    found = sorted(grades, key=RANK.__getitem__)
    return found[0] if found else None


def meets(grades: Iterable[str], minimum: str) -> bool:
    """Whether at least one of a record's source grades is ``minimum`` or stronger."""
    return any(RANK[g] <= RANK[minimum] for g in grades)
