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
}
