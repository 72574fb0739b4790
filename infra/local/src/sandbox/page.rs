//! The sandbox's pages: "confirm payment" for a pay link, and what came of confirming.

use luckydraw_core::domain::Timestamp;

use super::{PREFIX, SandboxError, Trade};

/// The page a pay link opens: the trade, and a button that pays it.
pub fn confirm(trade: &Trade, now: Timestamp) -> String {
    let expiry = trade.time_expire.map_or_else(|| "no deadline".to_owned(), |at| at.to_string());
    let action = match (&trade.trade_no, trade.time_expire.is_some_and(|at| now >= at)) {
        (Some(trade_no), _) => format!("<p class=\"done\">Paid (trade {}).</p>", escape(trade_no)),
        (None, true) => "<p class=\"closed\">This trade is closed: its time to pay has passed.</p>".to_owned(),
        (None, false) => format!(
            "<form method=\"post\" action=\"{PREFIX}/pay/{}\"><button type=\"submit\">Confirm payment</button></form>",
            escape(&trade.out_trade_no)
        ),
    };
    page(
        "Sandbox Alipay — confirm payment",
        &format!(
            "<dl><dt>Pay for</dt><dd>{}</dd><dt>Amount</dt><dd class=\"amount\">{}</dd><dt>Order</dt><dd><code>{}</code></dd><dt>Pay before</dt><dd>{}</dd></dl>{action}",
            escape(&trade.subject),
            escape(&trade.total_amount.to_string()),
            escape(&trade.out_trade_no),
            escape(&expiry),
        ),
    )
}

/// What confirming did: the shop's answer to the notification, or why nothing was paid.
pub fn confirmed(out_trade_no: &str, outcome: &Result<String, SandboxError>) -> String {
    let text = match outcome {
        Ok(answer) if answer == "success" => {
            "Paid. The shop answered <code>success</code>: you can go back to it.".to_owned()
        }
        Ok(answer) => {
            format!("Paid, but the shop answered <code>{}</code>; Alipay would notify it again.", escape(answer))
        }
        Err(error) => format!("Not paid: {}.", escape(&error.to_string())),
    };
    page(
        "Sandbox Alipay",
        &format!("<p>{text}</p><p><a href=\"{PREFIX}/pay/{}\">Back to the trade</a></p>", escape(out_trade_no)),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}\
         h1{{color:#1677ff;font-size:1.3rem}}dt{{color:#666}}dd{{margin:0 0 .6rem}}.amount{{font-size:1.6rem}}\
         button{{background:#1677ff;color:#fff;border:0;border-radius:6px;padding:.7rem 1.4rem;font-size:1rem}}</style>\
         </head><body><h1>{title}</h1><p><small>A local stand-in for Alipay: no real money moves.</small></p>{body}</body></html>"
    )
}

/// Text made safe inside HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_trade_is_escaped() {
        assert_eq!(escape("<b>\"Tea\" & 'Cup'</b>"), "&lt;b&gt;&quot;Tea&quot; &amp; &#39;Cup&#39;&lt;/b&gt;");
    }
}
