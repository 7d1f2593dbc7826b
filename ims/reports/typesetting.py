"""HTML to PDF with WeasyPrint, in this process or spread over worker processes.

Typesetting is pure Python work that holds the GIL, so the six documents of a revision only go
faster on several cores in several processes. The workers come from a fork server (a clean
single-threaded process that imports only this module), never from forking a web or task process
with its threads and database connections. Each keeps its parsed stylesheet and fonts between
documents. This module imports nothing of Django so the workers stay small.

Only the main thread starts and uses the pool: the fork server is tied to the thread that starts it
(see ims.reports.lifeline), and a request thread of a development server ends after each request.
Other threads typeset in their own process.
"""

import logging
import multiprocessing
import os
import ssl
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ims.reports import lifeline

logger = logging.getLogger(__name__)
# WeasyPrint narrates each step of every document at INFO level.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MAX_WORKERS = 6  # one per document of a revision
# A TLS context that is never used (documents fetch only file: and data: URLs) spares WeasyPrint
# loading the system's certificates for every document.
_UNUSED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
_typesetter = None  # (stylesheet source, FontConfiguration, parsed CSS) of this process
_pool = None  # (stylesheet source, executor)


def _start_worker(stylesheet):
    """A pool process's start: die with the fork server (which dies with the task worker), then parse
    the stylesheet. No typesetting process outlives the process that uses the pool."""
    lifeline.die_with_fork_server()
    configure(stylesheet)


def configure(stylesheet):
    """Parse the stylesheet (with its @font-face rules) once per process."""
    global _typesetter
    if _typesetter is None or _typesetter[0] != stylesheet:
        fonts = FontConfiguration()
        _typesetter = (stylesheet, fonts, weasyprint.CSS(string=stylesheet, font_config=fonts))
    return _typesetter


def typeset(html, stylesheet, identifier):
    """(PDF bytes, page count). `identifier` fixes the PDF's /ID, so the same content gives the same bytes."""
    _source, fonts, css = configure(stylesheet)
    fetcher = weasyprint.URLFetcher(allowed_protocols=("file", "data"), ssl_context=_UNUSED_TLS)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[css], font_config=fonts)
    return document.write_pdf(pdf_identifier=identifier), len(document.pages)


def worker_count():
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


def _executor(stylesheet):
    global _pool
    if _pool is None or _pool[0] != stylesheet:
        if _pool is not None:
            _pool[1].shutdown(wait=False)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([lifeline.__name__, __name__])
        os.environ[lifeline.PARENT] = str(os.getpid())  # read by the fork server as it starts, and only then
        try:
            forkserver.ensure_running()
        finally:
            del os.environ[lifeline.PARENT]
        executor = ProcessPoolExecutor(worker_count(), mp_context=context, initializer=_start_worker,
                                       initargs=(stylesheet,))  # fmt: skip
        _pool = (stylesheet, executor)
    return _pool[1]


def typeset_many(jobs, stylesheet):
    """Typeset [(html, identifier)] in parallel when there are cores to spare; yields (PDF, pages) in order.

    Pass an iterator: each job goes to a worker as soon as it is produced, while the next one is prepared.
    """
    if worker_count() < 2 or threading.current_thread() is not threading.main_thread():
        for html, identifier in jobs:
            yield typeset(html, stylesheet, identifier)
        return
    executor = _executor(stylesheet)
    submitted = [(html, identifier, _submit(executor, html, stylesheet, identifier)) for html, identifier in jobs]
    for html, identifier, future in submitted:
        yield _result(future, html, stylesheet, identifier)


def _submit(executor, html, stylesheet, identifier):
    try:
        return executor.submit(typeset, html, stylesheet, identifier)
    except BrokenProcessPool:
        return None


def _result(future, html, stylesheet, identifier):
    global _pool
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    # A worker died (killed, out of memory): finish here and start a fresh pool next time.
    logger.warning("A PDF worker process stopped; typesetting in this process instead.")
    _pool = None
    return typeset(html, stylesheet, identifier)
