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
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "supervisor" => Role::Supervisor,
            "agent" => Role::Agent,
            "qa" => Role::Qa,
            "auditor" => Role::Auditor,
            _ => return None,
        })
    }
    pub const ALL: [&'static str; 5] = ["admin", "supervisor", "agent", "qa", "auditor"];
}
