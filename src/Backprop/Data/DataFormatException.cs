namespace Backprop.Data;

/// <summary>
/// A data file that cannot be read as the data it claims to be. The message names the file and the
/// place (line, column, field) so that the CLI can print it after <c>error: </c> as it is, e.g.
/// <c>data.csv:14: column 'petal_width': 'abc' is not a number</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>A problem at a place in a data file; the message reads "file:line: column 'name': problem".</summary>
    public DataFormatException(string filePath, int? line, string? column, string? field, string problem,
        Exception? innerException = null)
        : base(Compose(filePath, line, column, problem), innerException)
    {
        FilePath = filePath;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    /// <summary>A problem with a data file as a whole (unreadable, empty, inconsistent).</summary>
    public DataFormatException(string filePath, string problem, Exception? innerException = null)
        : this(filePath, line: null, column: null, field: null, problem, innerException) { }

    /// <summary>The file as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number (the CSV header is line 1), when the problem has one.</summary>
    public int? Line { get; }

    /// <summary>Column name, or 1-based column index as text when the column has no name.</summary>
    public string? Column { get; }

    /// <summary>The offending field's text, when there is one.</summary>
    public string? Field { get; }

    /// <summary>What was wrong, without the location prefix.</summary>
    public string Problem { get; }

    static string Compose(string filePath, int? line, string? column, string problem)
    {
        string place = line is int l ? $"{filePath}:{l}" : filePath;
        return column is null ? $"{place}: {problem}" : $"{place}: column '{Excerpt.Of(column)}': {problem}";
    }
}
