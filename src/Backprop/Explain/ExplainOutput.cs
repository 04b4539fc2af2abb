using System.Text;

namespace Backprop.Explain;

/// <summary>A renderer's streaming form: it prints <paramref name="stepCount"/> steps to <paramref name="output"/>,
/// each as soon as <paramref name="steps"/> yields it, so that a long run never holds more than one step.</summary>
public delegate void ExplainWriter(TextWriter output, IEnumerable<StepTrace> steps, int stepCount);

internal static class ExplainOutput
{
    /// <summary>A whole trace rendered to one string (for the library and the tests).</summary>
    public static string ToText(ExplainWriter write, ExplainTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var output = new StringWriter();
        write(output, trace.Steps, trace.Steps.Count);
        return output.ToString();
    }

    /// <summary>Hands what a renderer has built so far to the output, in one write, and starts afresh.</summary>
    public static void Flush(TextWriter output, StringBuilder text)
    {
        output.Write(text);
        text.Clear();
    }

    // A step of a wide network with a large batch is itself gigabytes of text (a 100-100-1 network on 2,000 samples
    // ran out of memory building one), so renderers also hand it over in parts of about this many characters.
    private const int PartLength = 1 << 16;

    /// <summary><see cref="Flush"/>, once <paramref name="text"/> holds a part's worth.</summary>
    public static void Spill(TextWriter output, StringBuilder text)
    {
        if (text.Length >= PartLength) Flush(output, text);
    }
}
