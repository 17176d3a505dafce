# The built-in "Phishing-resistant MFA" strength, to require it in a Conditional Access policy
# with grant_controls { authentication_strength_policy_id = ... }.
data "entra_authentication_strength_policy" "phishing_resistant" {
  display_name = "Phishing-resistant MFA"
}

output "phishing_resistant_strength_id" {
  value = data.entra_authentication_strength_policy.phishing_resistant.id
}
