using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Tests.Explain;

public sealed class ExplainStreamingTests
{
    public static TheoryData<string> Formats => ["text", "json", "markdown", "dot"];

    private static ExplainWriter Writer(string format) => format switch
    {
        "json" => JsonRenderer.Write,
        "markdown" => MarkdownRenderer.Write,
        "dot" => DotRenderer.Write,
        _ => TextRenderer.Write,
    };

    private static Func<ExplainTrace, string> Renderer(string format) => format switch
    {
        "json" => JsonRenderer.Render,
        "markdown" => MarkdownRenderer.Render,
        "dot" => DotRenderer.Render,
        _ => TextRenderer.Render,
    };

    /// <summary>A long run must not hold every step: each step has to be printed before the next one is asked for.</summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public void Each_step_is_printed_before_the_next_is_computed(string format)
    {
        var model = ExplainModelFile.Notebook();
        string whole = Renderer(format)(ExplainEngine.Run(model, steps: 2));
        var output = new StringWriter();

        Assert.Throws<InvalidOperationException>(() => Writer(format)(output, FirstStepThenFail(model), 2));

        string printed = output.ToString();
        Assert.StartsWith(printed, whole);
        Assert.True(printed.Length > whole.Length * 0.4, $"only {printed.Length} of {whole.Length} characters were printed before step 2");
    }

    private static IEnumerable<StepTrace> FirstStepThenFail(ExplainModel model)
    {
        yield return ExplainEngine.Step(model);
        throw new InvalidOperationException("step 2 was asked for");
    }
}
