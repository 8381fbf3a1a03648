import ArgumentParser
import RegistryKit
import RegistryModel

extension String {
    /// nil for the empty string, so a table cell can fall back to "-".
    var nonEmpty: String? { isEmpty ? nil : self }
}
