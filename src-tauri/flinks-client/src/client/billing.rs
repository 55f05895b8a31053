//! What Flinks bills, read from a call's record. Its own file so the transport, which records
//! every call, need not know the endpoint families (which themselves use the transport).

use super::accounts::delivers_data;
use super::attributes::delivers_attributes;
use super::transport::CallRecord;

impl CallRecord {
    /// Whether Flinks bills this call: a data or attributes call it answered 200, that is with
    /// the data. A 202 (still processing) delivers nothing yet, and tokens, Authorize, the
    /// attribute library and DeleteCard are not billed. A 200 whose body could not be read
    /// still counts: Flinks sent the data.
    pub fn billable(&self) -> bool {
        self.status == Some(200)
            && (delivers_data(self.endpoint) || delivers_attributes(self.endpoint))
    }
}
