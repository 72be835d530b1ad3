//! Drawing text on PDF pages with the standard Helvetica fonts: encoding, measuring, wrapping,
//! and moving on to a new page when one is full.

use pdf_writer::{Content, Name, Str};

pub(super) const PAGE: (f32, f32) = (595.0, 842.0);
pub(super) const LEFT: f32 = 56.0;
pub(super) const RIGHT: f32 = 539.0;
pub(super) const TOP: f32 = 790.0;
/// Below this the footer lives; content moves to a new page instead.
const BOTTOM: f32 = 72.0;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Font {
    Regular,
    Bold,
}

impl Font {
    pub(super) fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126, from the standard AFM.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The width of text in points; bold lower-case runs about a tenth wider than regular.
pub(super) fn width(text: &str, font: Font, size: f32) -> f32 {
    let units: f32 = text
        .chars()
        .map(|c| {
            let w = match c {
                ' '..='~' => f32::from(WIDTHS[c as usize - 32]),
                _ => 556.0,
            };
            if font == Font::Bold && c.is_ascii_lowercase() {
                w * 1.1
            } else {
                w
            }
        })
        .sum();
    units * size / 1000.0
}

/// The text in WinAnsiEncoding. Latin-1 maps onto itself; a few common typographic characters
/// have their own codes; anything else would print as garbage, so it becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' | '\u{a0}'..='\u{ff}' => c as u8,
            '\t' | '\n' | '\r' => b' ',
            '\u{20ac}' => 0x80,
            '\u{2026}' => 0x85,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Splits text into at most `max_lines` lines that fit `max_width`, ending the last with an
/// ellipsis when something had to be left out.
pub(super) fn wrap(text: &str, max_width: f32, size: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if width(&candidate, Font::Regular, size) <= max_width || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    lines.push(current);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.last_mut().expect("max_lines is at least 1");
        while !last.is_empty() && width(&format!("{last}..."), Font::Regular, size) > max_width {
            last.pop();
        }
        last.push_str("...");
    }
    lines
}

pub(super) fn draw(page: &mut Content, x: f32, y: f32, font: Font, size: f32, text: &str) {
    page.begin_text();
    page.set_font(font.name(), size);
    page.next_line(x, y);
    page.show(Str(&win_ansi(text)));
    page.end_text();
}

/// The pages being drawn, top to bottom.
pub(super) struct Pages {
    pub(super) pages: Vec<Content>,
    pub(super) y: f32,
}

impl Pages {
    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(super) fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        draw(self.page(), x, y, font, size, text);
    }

    pub(super) fn text_right(&mut self, right: f32, y: f32, font: Font, size: f32, text: &str) {
        draw(
            self.page(),
            right - width(text, font, size),
            y,
            font,
            size,
            text,
        );
    }

    pub(super) fn rule(&mut self, y: f32) {
        let page = self.page();
        page.set_line_width(0.6);
        page.move_to(LEFT, y);
        page.line_to(RIGHT, y);
        page.stroke();
    }

    /// Starts a new page when `height` more points would run into the footer.
    pub(super) fn reserve(&mut self, height: f32, on_new_page: impl FnOnce(&mut Self)) {
        if self.y - height < BOTTOM {
            self.pages.push(Content::new());
            self.y = TOP;
            on_new_page(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_latin1_and_replaces_the_rest() {
        assert_eq!(
            win_ansi("M8 \u{b7} 1.5 mm\u{b2} \u{20ac}"),
            b"M8 \xb7 1.5 mm\xb2 \x80"
        );
        assert_eq!(win_ansi("\u{4e2d}\u{6587}"), b"??");
    }

    #[test]
    fn wraps_and_ellipsises_long_text() {
        let text = "word ".repeat(60);
        let lines = wrap(&text, 100.0, 9.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with("..."));
        assert!(lines.iter().all(|l| width(l, Font::Regular, 9.0) <= 100.0));
        assert_eq!(wrap("short", 100.0, 9.0, 2), vec!["short".to_owned()]);
    }
}
