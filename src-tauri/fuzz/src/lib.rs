//! What the fuzz targets share. The decode targets call `flinks_client::decode::fuzz`, which the
//! client's own tests replay; the CSV target's case and contract live here, in a file desk-core's
//! tests compile in too.

pub mod csv_case;
