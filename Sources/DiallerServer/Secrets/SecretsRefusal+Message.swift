import DiallerStore

extension SecretsRefusal {
    /// The one line an administrator reads; `keyFile` is where the key given came from.
    func message(keyFile: String?) -> String {
        switch self {
        case .wrongKey(let given, let sealedWith):
            return "the secrets key in \(keyFile ?? "the key file") (key \(given)) is not the one the webhook secrets are sealed with "
                + "(key \(sealedWith.joined(separator: ", "))): give that key's file"
        case .unreadable(let partner, let keyID):
            return "the webhook secret of partner \(partner) does not open with key \(keyID): its sealed bytes were altered; "
                + "rotate it with partners webhook \(partner) --rotate-secret"
        case .alreadySealed(let keyIDs):
            return "the webhook secrets are already sealed with key \(keyIDs.joined(separator: ", ")); "
                + "secrets init makes a first key, secrets rotate --to PATH changes it"
        case .keyRequired(let endpoints):
            return "\(endpoints) webhook endpoint(s) exist, and signing for them needs the secrets key that seals their secrets: "
                + SecretsKeyOptions.howToGive
        }
    }
}
