namespace Backprop.IO;

/// <summary>
/// A model file that cannot be used: unreadable, malformed, or inconsistent. The message names the file and
/// the JSON path of the offending field (or line and column for malformed JSON), ready to print after "error: ".
/// </summary>
public sealed class ModelFileException : Exception
{
    /// <summary>A problem at <paramref name="location"/> ("line 3, column 7", or empty) of <paramref name="file"/>.</summary>
    public ModelFileException(string file, string location, string problem, Exception? inner = null)
        : base(location.Length == 0 ? $"{file}: {problem}" : $"{file}: {location}: {problem}", inner)
    {
        File = file;
        Location = location;
        Problem = problem;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>A JSON path such as <c>layers[1].weights[0]</c>, or <c>line 3, column 7</c>; empty for the whole file.</summary>
    public string Location { get; }

    /// <summary>What is wrong, without the file and location.</summary>
    public string Problem { get; }
}
