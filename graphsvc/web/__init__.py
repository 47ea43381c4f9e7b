"""The workbench: the one page at ``/`` where planners work over the map in the browser.

``page.py`` renders the page's shell (no data), ``graph.py`` what the map draws
(``GET /workbench/graph.json``), ``core_texts.py`` the core panels' words; the page's behaviour
is plain JavaScript in ``static/`` (no build step), served same-origin with vis-network from
pyvis' package.
"""
