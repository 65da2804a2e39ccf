pub fn import(_doc: &str) -> Result<crate::ao::process::Process, crate::error::Error> {
    todo!()
}
