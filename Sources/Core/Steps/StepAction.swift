/// What a step does, as typed data. Each action renders to `Operation`s for the SSH backend; the
/// simulator interprets the action itself against its model.
public enum StepAction: Sendable, Hashable {
    case placeholder
}
