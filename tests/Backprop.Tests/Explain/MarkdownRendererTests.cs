using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Tests.Explain;

public sealed class MarkdownRendererTests
{
    [Fact]
    public void The_notebook_as_markdown_has_sections_and_tables_with_its_numbers()
    {
        string markdown = MarkdownRenderer.Render(ExplainEngine.Run(ExplainModelFile.Notebook()));

        Assert.StartsWith("# Backprop explain: one SGD step of a 3 → 2 → 1 network", markdown);
        Assert.Contains("## Forward pass", markdown);
        Assert.Contains("## Backward pass", markdown);
        Assert.Contains("| neuron | z = Σ w·input + b | z | a = σ(z) |", markdown);
        Assert.Contains("| 11.82 | 0.9999926440963977 |", markdown);
        Assert.Contains("| ∂C/∂w[0][0,2] (w5) | `x[2] · σ'(z[0][0]) · w[1][0,0] · 2(ŷ[0] − y[0])` |", markdown);
        Assert.Contains("| b[1][0] (b3) | 12 | -144.6000099589381 | 26.46000099589381 |", markdown);
        Assert.Contains("```text\nLoss (squared_error)", markdown.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Every_table_row_has_as_many_cells_as_its_header()
    {
        var model = ExplainModelFile.Parse(IO.ExplainModelFileTests.Notebook(input: "[[7, 2, 25], [1, 0, -1]]", target: "[[1], [0]]", loss: "\"binary_cross_entropy\""), "m.json");
        var lines = MarkdownRenderer.Render(ExplainEngine.Run(model, steps: 2)).ReplaceLineEndings("\n").Split('\n');

        int expected = 0;
        foreach (var line in lines)
        {
            if (!line.StartsWith('|')) { expected = 0; continue; }
            int cells = line.Replace("\\|", "").Count(c => c == '|') - 1;
            if (expected == 0) expected = cells;
            Assert.Equal(expected, cells);
        }
    }
}
