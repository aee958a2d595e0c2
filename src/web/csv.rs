//! CSV for spreadsheets: UTF-8 with a BOM (so Chinese shows correctly),
//! RFC 4180 quoting, and formula-looking cells neutralised.

/// Byte-order mark that spreadsheet programs read as "this is UTF-8".
pub const BOM: &str = "\u{feff}";

/// One cell: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a
/// `'` in front so no spreadsheet runs it as a formula; cells with commas,
/// quotes or line breaks are quoted, quotes doubled.
pub fn cell(value: &str) -> String {
    let mut v = String::with_capacity(value.len() + 2);
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(value);
    if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v }
}

/// A staff export as a download that is never stored (it may hold phones
/// and names): `file` is the name the browser saves it under.
pub fn staff_download(file: &str, body: String) -> actix_web::HttpResponse {
    use actix_web::http::header;
    actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// A whole document: BOM, header row, rows, CRLF line ends.
pub fn document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(header.iter().map(|h| cell(h)).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| cell(c)).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("小京村"), "小京村");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+86"), "'+86");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=A1,B1"), "\"'=A1,B1\"");
    }

    #[test]
    fn documents_start_with_a_bom_and_a_header() {
        let doc = document(&["name", "village"], &[vec!["邱根来".into(), "小京村".into()]]);
        assert!(doc.starts_with('\u{feff}'));
        assert_eq!(doc.trim_start_matches('\u{feff}'), "name,village\r\n邱根来,小京村\r\n");
    }
}
