//! National clouds: each has its own Graph and login hosts, and tokens do not cross clouds.

/// The cloud a tenant lives in, which decides the hosts signed in to and talked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// The public cloud (`global`, or `public` as azuread also spells it).
    Global,
    /// US Government L4 (GCC High).
    UsGovernment,
    /// US Government L5 (DoD).
    UsGovernmentL5,
    /// The cloud 21Vianet operates in China.
    China,
}

impl Environment {
    /// Accepts the names azuread users already set in `ARM_ENVIRONMENT`.
    pub fn parse(s: &str) -> Option<Environment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "global" | "public" => Some(Environment::Global),
            "usgovernment" | "usgovernmentl4" => Some(Environment::UsGovernment),
            "usgovernmentl5" => Some(Environment::UsGovernmentL5),
            "china" => Some(Environment::China),
            _ => None,
        }
    }

    /// One name per cloud, as `parse` accepts it: for messages, and to go through every cloud.
    pub const NAMES: &'static [&'static str] =
        &["global", "usgovernment", "usgovernmentl5", "china"];

    /// Graph's root in this cloud, without a trailing slash.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Environment::Global => "https://graph.microsoft.com",
            Environment::UsGovernment => "https://graph.microsoft.us",
            Environment::UsGovernmentL5 => "https://dod-graph.microsoft.us",
            Environment::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The login host that issues tokens for this cloud's Graph.
    pub fn authority_host(self) -> &'static str {
        match self {
            Environment::Global => "https://login.microsoftonline.com",
            Environment::UsGovernment | Environment::UsGovernmentL5 => {
                "https://login.microsoftonline.us"
            }
            Environment::China => "https://login.chinacloudapi.cn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_environment_parses_to_its_hosts() {
        for name in Environment::NAMES {
            let env = Environment::parse(name).unwrap();
            assert!(env.graph_endpoint().starts_with("https://"));
            assert!(env.authority_host().starts_with("https://login."));
        }
        assert_eq!(
            Environment::parse("usgovernmentl5")
                .unwrap()
                .graph_endpoint(),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Environment::parse("China").unwrap().authority_host(),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(Environment::parse("mars"), None);
    }
}
