namespace Backprop.Data;

/// <summary>Data sets shipped inside the library.</summary>
public static class BuiltinData
{
    const string DigitsResource = "Backprop.Data.Builtin.digits.csv";

    /// <summary>The name messages and models give the built-in digits set.</summary>
    public const string DigitsSource = "digits (built-in)";

    /// <summary>
    /// 1,797 8×8 handwritten digits: 64 features with values 0–16 and a <c>label</c> column with
    /// classes "0".."9" (see Data/Builtin/README.md for its origin and licence).
    /// </summary>
    public static DataSet LoadDigits()
    {
        using Stream stream = typeof(BuiltinData).Assembly.GetManifestResourceStream(DigitsResource)
            ?? throw new InvalidOperationException($"the embedded resource {DigitsResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return CsvLoader.Load(reader, DigitsSource, new CsvLoadOptions { Target = "label", Task = TaskKind.Classification });
    }
}
