//! Units of measure as UN/CEFACT Recommendation 20 codes, which cXML and OCI buyers expect.

/// The Rec 20 code for an ERP unit; a unit already in Rec 20 form (or unknown) passes through,
/// upper-cased.
pub fn rec20(erp_unit: &str) -> String {
    let unit = erp_unit.trim().to_ascii_uppercase();
    let code = match unit.as_str() {
        "EA" | "EACH" | "PC" | "PCS" | "ST" | "STK" => "EA",
        "BOX" | "BX" => "BX",
        "BAG" | "BG" => "BG",
        "BDL" | "BUNDLE" | "BE" => "BE",
        "M" | "MTR" => "MTR",
        "KG" | "KGM" => "KGM",
        "G" | "GRM" => "GRM",
        "L" | "LTR" => "LTR",
        "PK" | "PACK" | "PAK" => "PK",
        "PR" | "PAIR" => "PR",
        "ROLL" | "RO" => "RO",
        "SET" => "SET",
        "H" | "HUR" => "HUR",
        other => other,
    };
    code.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn erp_units_become_rec20_codes() {
        assert_eq!(super::rec20("BOX"), "BX");
        assert_eq!(super::rec20("ROLL"), "RO");
        assert_eq!(super::rec20("m"), "MTR");
        assert_eq!(super::rec20("C62"), "C62");
    }
}
