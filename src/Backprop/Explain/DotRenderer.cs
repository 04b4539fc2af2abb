using System.Globalization;
using System.Text;

namespace Backprop.Explain;

/// <summary>
/// The autograd graph of the loss in Graphviz DOT, as micrograd's draw_dot but for tensors: a record per tensor
/// (label and shape | value | gradient) and an ellipse per operation, edges from inputs to op to output.
/// Tensors of more than <see cref="MaxListed"/> elements show their range instead of every value.
/// Render with <c>dot -Tsvg graph.dot -o graph.svg</c>.
/// </summary>
public static class DotRenderer
{
    /// <summary>Values listed per node before the rest are elided.</summary>
    public const int MaxListed = 6;

    /// <summary>The trace as a Graphviz DOT graph.</summary>
    public static string Render(ExplainTrace trace) => ExplainOutput.ToText(Write, trace);

    /// <summary>Prints <paramref name="stepCount"/> steps to <paramref name="output"/>, each as soon as it is enumerated.</summary>
    public static void Write(TextWriter output, IEnumerable<StepTrace> steps, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(steps);
        var dot = new StringBuilder();
        dot.AppendLine("digraph backprop {");
        dot.AppendLine("  rankdir=LR;");
        dot.AppendLine("  node [fontname=\"Helvetica\", fontsize=10];");
        dot.AppendLine("  edge [arrowsize=0.6];");
        foreach (var step in steps)
        {
            string prefix = stepCount == 1 ? "" : $"s{step.Step}_";
            string indent = "  ";
            if (stepCount > 1)
            {
                dot.AppendLine($"  subgraph cluster_step{step.Step} {{");
                dot.AppendLine($"    label=\"step {step.Step}: C = {Compact(step.Loss.Value)}\";");
                indent = "    ";
            }
            AppendGraph(dot, step.Graph, prefix, indent);
            if (stepCount > 1) dot.AppendLine("  }");
            ExplainOutput.Flush(output, dot);
        }
        dot.AppendLine("}");
        ExplainOutput.Flush(output, dot);
    }

    private static void AppendGraph(StringBuilder dot, GraphTrace graph, string prefix, string indent)
    {
        foreach (var node in graph.Nodes)
        {
            string id = $"{prefix}t{node.Id}";
            string name = Escape(node.Label ?? "");
            string shape = node.Shape.Length == 0 ? "scalar" : "[" + string.Join("×", node.Shape) + "]";
            string value = "value " + Escape(Values(node.Value, node.Shape));
            string grad = node.Grad is null ? "grad —" : "grad " + Escape(Values(node.Grad, node.Shape));
            string style = node.Label == "C" ? ", style=filled, fillcolor=\"#ffe9b3\"" : node.Grad is null ? ", color=gray50" : "";
            dot.AppendLine($"{indent}{id} [shape=record{style}, label=\"{{ {(name.Length > 0 ? name + " " : "")}{shape} | {value} | {grad} }}\"];");
            if (node.Operation == "leaf") continue;
            dot.AppendLine($"{indent}{id}_op [shape=ellipse, label=\"{Escape(node.Operation)}\"];");
            foreach (int input in node.Inputs) dot.AppendLine($"{indent}{prefix}t{input} -> {id}_op;");
            dot.AppendLine($"{indent}{id}_op -> {id};");
        }
    }

    /// <summary>Up to <see cref="MaxListed"/> values in full; otherwise min … max and the mean.</summary>
    internal static string Values(double[] values, int[] shape)
    {
        if (values.Length == 1) return Compact(values[0]);
        if (values.Length <= MaxListed)
        {
            if (shape.Length == 2)
                return "[" + string.Join(", ", Enumerable.Range(0, shape[0]).Select(r => "[" + string.Join(", ", values.Skip(r * shape[1]).Take(shape[1]).Select(Compact)) + "]")) + "]";
            return "[" + string.Join(", ", values.Select(Compact)) + "]";
        }
        return $"{Compact(values.Min())} … {Compact(values.Max())}, mean {Compact(values.Average())}";
    }

    private static string Compact(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Escapes what a DOT record label treats specially.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '{' or '}' or '|' or '<' or '>' or '"' or '\\') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
