using System.Text.RegularExpressions;
using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Tests.Explain;

public sealed class DotRendererTests
{
    [Fact]
    public void The_notebook_graph_has_a_node_per_tensor_and_per_operation_and_shows_the_loss()
    {
        var trace = ExplainEngine.Run(ExplainModelFile.Notebook());
        string dot = DotRenderer.Render(trace);
        var nodes = trace.Steps[0].Graph.Nodes;

        Assert.StartsWith("digraph backprop {", dot);
        Assert.Equal(nodes.Count, Regex.Matches(dot, @"^\s*t\d+ \[shape=record", RegexOptions.Multiline).Count);
        var operations = Regex.Matches(dot, @"^\s*t\d+_op \[shape=ellipse, label=""(\w+)""\]", RegexOptions.Multiline).Select(match => match.Groups[1].Value);
        Assert.Equal(["linear", "sigmoid", "linear", "sub", "mul", "sum"], operations);
        Assert.Contains("C scalar | value 5227.29 | grad 1", dot);
        Assert.Contains("x [3] | value [7, 2, 25] | grad —", dot);
        Assert.Contains("w[0] [2×3] | value [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]]", dot);
        Assert.EndsWith("}\n", dot.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Large_tensors_show_their_range_instead_of_every_value()
    {
        Assert.Equal("1 … 8, mean 4.5", DotRenderer.Values([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]));
    }

    [Fact]
    public void Several_steps_are_clusters_with_distinct_node_names()
    {
        string dot = DotRenderer.Render(ExplainEngine.Run(ExplainModelFile.Notebook(), steps: 2));

        Assert.Contains("subgraph cluster_step1 {", dot);
        Assert.Contains("subgraph cluster_step2 {", dot);
        Assert.Contains("s2_t0 [shape=record", dot);
    }
}
