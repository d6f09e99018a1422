extension String {
    /// The name in snake_case, as configuration files and checkpoints write keys: `maxEpochs` → `max_epochs`,
    /// `checkValEveryNEpoch` → `check_val_every_n_epoch`, `modelURL` → `model_url`. A name already in
    /// snake_case (or with dots, as tune's dotted keys) is returned unchanged.
    var snakeCased: String {
        let characters = Array(self)
        var result = ""
        for (i, character) in characters.enumerated() {
            if character.isUppercase, i > 0 {
                let previous = characters[i - 1]
                let nextIsLower = i + 1 < characters.count && characters[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { result.append("_") }
            }
            result += character.lowercased()
        }
        return result
    }
}
