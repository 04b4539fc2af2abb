using Backprop.Explain;
using Backprop.IO;
using Backprop.Nn;

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

    [Theory]
    [InlineData("text")]
    [InlineData("markdown")]
    public void A_step_too_large_to_hold_as_text_is_printed_in_parts(string format)
    {
        // 40 samples through 30 → 30 → 1: one step is over a megabyte of text, once built whole before printing.
        var random = new Random(5);
        double[] Values(int count) => Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray();
        var model = new ExplainModel(Enumerable.Range(0, 40).Select(_ => Values(30)).ToArray(), true,
            Enumerable.Range(0, 40).Select(_ => Values(1)).ToArray(), LossKind.Mse, 0.1,
            [new ExplainLayer(Activation.Tanh, Enumerable.Range(0, 30).Select(_ => Values(30)).ToArray(), Values(30)),
             new ExplainLayer(Activation.Identity, [Values(30)], Values(1))]);
        var output = new WriteCounter();

        Writer(format)(output, ExplainEngine.Steps(model, 1), 1);

        Assert.True(output.Characters > 1_000_000, $"{output.Characters} characters");
        Assert.True(output.Largest <= 200_000, $"a write of {output.Largest} characters");
    }

    /// <summary>Counts what is written, and the largest single write, without keeping it.</summary>
    private sealed class WriteCounter : TextWriter
    {
        public long Characters { get; private set; }
        public int Largest { get; private set; }
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => Count(1);
        public override void Write(char[] buffer, int index, int count) => Count(count);
        public override void Write(string? value) => Count(value?.Length ?? 0);
        public override void Write(System.Text.StringBuilder? value) => Count(value?.Length ?? 0);

        private void Count(int length)
        {
            Characters += length;
            Largest = Math.Max(Largest, length);
        }
    }

    private static IEnumerable<StepTrace> FirstStepThenFail(ExplainModel model)
    {
        yield return ExplainEngine.Step(model);
        throw new InvalidOperationException("step 2 was asked for");
    }
}
