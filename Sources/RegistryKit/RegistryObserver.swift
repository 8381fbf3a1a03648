/// Told of what a registry did, for whoever counts it (`mreg serve`'s metrics): called on the
/// thread that did the work, once it is recorded (or, for a refused promotion, decided).
public protocol RegistryObserver: Sendable {
    func promoted(_ outcome: PromotionOutcome)
    func rolledBack(_ outcome: RollbackOutcome)
    func registered(_ outcome: RegistrationOutcome)
    func verified(_ report: VerifyReport)
}
