// Load-time settings of the page, replaced when deploying (no secrets here, ever).
// apiBase: where the API lives. Empty: the page's own origin (the local runner, or page
// and API behind one domain). Set it to the API Gateway URL, e.g.
// "https://abc123.execute-api.eu-west-1.amazonaws.com", when the page is hosted elsewhere.
window.LUCKYDRAW_CONFIG = { apiBase: "" };
