"""How much a source can carry: a reliability grade for every source, as intelligence analysts
grade theirs (issue 19).

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
from collections.abc import Iterable
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
    "newswatchplus.ph", "dzrh.com.ph", "bomboradyo.com", "ptvnews.ph",
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
    "airandspaceforces.com", "globalsecurity.org", "benarnews.org", "maritime-executive.com",
    "asianmilitaryreview.com", "asiapacificdefensejournal.com", "cambridge.org", "taylorfrancis.com", "jstor.org",
    "adst.org", "nzhistory.net.nz", "cogitasia.com", "chinausfocus.com", "amti.csis.org", "crisisgroup.org",
    "carnegieendowment.org", "stimson.org", "warontherocks.com", "38north.org", "j-defense.ikaros.jp",
})  # fmt: skip
WEAK = frozenset({
    "wikipedia.org", "wikiwand.com", "kids.britannica.com", "kiddle.co", "blogspot.com", "wordpress.com", "medium.com",
    "substack.com", "einpresswire.com", "prnewswire.com", "globenewswire.com", "businesswire.com", "devdiscourse.com",
    "menafn.com", "yahoo.com", "msn.com", "newsbreak.com", "ground.news", "htsyndication.com", "thefreelibrary.com",
    "newser.com", "realclearworld.com", "books.google.com", "marketscreener.com", "signalng.com", "bureaucrat.news",
    "newscord.org", "tbh.center", "spydus.com.sg", "cambridgecore.org", "twocircles.net", "alert5.com",
    "indoneo.com", "heraldk.com", "powerkoream.co.kr", "ryt9.com", "sputnikglobe.com", "unn.ua",
})  # fmt: skip
_OFFICIAL_HOST = re.compile(r"(^|\.)(gov|mil|int)(\.[a-z]{2})?$|\.(go|gouv|gob|govt|gc|mil|mofa|gov)\.[a-z]{2}$")
_ACADEMIC_HOST = re.compile(r"(^|\.)edu(\.[a-z]{2})?$|\.ac\.[a-z]{2}$")
_STAGING = re.compile(r"^(beta|staging|stage|dev|test|core-prod|preview)[a-z0-9-]*\.")
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
    parts = host.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts)))


def grade_of_url(url: str | None) -> str:
    """The grade the host rules give a URL (``secondary`` for none or an unknown host).

    >>> [grade_of_url(u) for u in ("https://www.mofa.go.jp/x", "https://en.wikipedia.org/wiki/X",
    ...                            "https://mb.com.ph/2026/5/28/x", "https://amti.csis.org/x",
    ...                            "https://web.archive.org/web/2019/https://www.gov.uk/x", "https://example.org")]
    ['official', 'weak', 'major', 'specialist', 'official', 'secondary']
    """
    if not url:
        return "secondary"
    host = host_of(url)
    if not host:
        return "weak"
    if _under(host, WEAK) or _STAGING.match(host):
        return "weak"
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
    from .problems import UsageError

    g = value.strip().lower()
    if g not in GRADES:
        raise UsageError(f"--min-grade: unknown grade {value!r} (grades, strongest first: {', '.join(GRADES)})")
    return g


def grades_of(refs: Iterable[str], source: callable) -> list[str]:
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
