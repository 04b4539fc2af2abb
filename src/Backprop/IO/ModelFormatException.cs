namespace Backprop.IO;

/// <summary>
/// A model or tensor file that cannot be read: it names the file, the field that is wrong
/// (e.g. "header length", "layers.0.weight.data_offsets", "__metadata__.task") and what is wrong with it.
/// </summary>
public sealed class ModelFormatException(string file, string field, string problem)
    : Exception($"{file}: {field}: {problem}")
{
    public string File { get; } = file;

    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
