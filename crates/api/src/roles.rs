//! The roles a user may hold (what each may call is declared per route; see
//! [`crate::access`]).

/// What a user may do. Enforced on the server for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Supervisor,
    Agent,
    Qa,
    Auditor,
    /// A wall display (TV mode): sees the supervisor's board and nothing
    /// else. Never given to a person: `POST /api/v1/displays` makes one.
    Display,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "supervisor" => Role::Supervisor,
            "agent" => Role::Agent,
            "qa" => Role::Qa,
            "auditor" => Role::Auditor,
            "display" => Role::Display,
            _ => return None,
        })
    }
    /// The roles people hold (a display's is not given by hand).
    pub const ALL: [&'static str; 5] = ["admin", "supervisor", "agent", "qa", "auditor"];
}
