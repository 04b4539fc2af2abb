namespace Backprop.IO;

/// <summary>
/// A model or tensor file that cannot be read: it names the file, the field that is wrong
/// (e.g. "header length", "layers.0.weight.data_offsets", "__metadata__.task") and what is wrong with it.
/// </summary>
public sealed class ModelFormatException(string file, string field, string problem)
    : Exception($"{file}: {field}: {problem}")
{
    /// <summary>The model file.</summary>
    public string File { get; } = file;

    /// <summary>The metadata field or tensor at fault, as a JSON path ("__metadata__.architecture[2].kernel").</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong with it, in words.</summary>
    public string Problem { get; } = problem;
}
