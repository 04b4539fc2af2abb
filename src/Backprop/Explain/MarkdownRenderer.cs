using System.Text;
using Backprop.Nn;
using static Backprop.Explain.ExplainNotation;

namespace Backprop.Explain;

/// <summary>The text output's content as a Markdown document: tables for neurons, gradients and updates.</summary>
public static class MarkdownRenderer
{
    /// <summary>The trace as Markdown.</summary>
    public static string Render(ExplainTrace trace) => ExplainOutput.ToText(Write, trace);

    /// <summary>Prints <paramref name="stepCount"/> steps to <paramref name="output"/>, each as soon as it is enumerated.</summary>
    public static void Write(TextWriter output, IEnumerable<StepTrace> steps, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(steps);
        var md = new StringBuilder();
        ExplainNotation? notation = null;
        string h2 = stepCount > 1 ? "###" : "##";
        string h3 = stepCount > 1 ? "####" : "###";
        foreach (var step in steps)
        {
            if (notation is null)
            {
                notation = new ExplainNotation(step.Model);
                AppendHeader(md, step.Model, notation, stepCount);
            }
            if (stepCount > 1) md.AppendLine().AppendLine($"## Step {step.Step} of {stepCount}");
            AppendStep(md, step, notation, h2, h3, output);
            ExplainOutput.Flush(output, md);
        }
    }

    private static void AppendHeader(StringBuilder md, ExplainModel first, ExplainNotation notation, int stepCount)
    {
        md.AppendLine($"# Backprop explain: {TextRenderer.Describe(first, notation, stepCount)}");
        md.AppendLine();
        md.AppendLine("| symbol | meaning |");
        md.AppendLine("|---|---|");
        md.AppendLine("| `w[l][j,i]` | `layers[l].weights[j][i]`: the weight into neuron j of layer l from its input i |");
        md.AppendLine("| `b[l][j]` | `layers[l].bias[j]` |");
        md.AppendLine("| `z[l][j]`, `a[l][j]` | the neuron's weighted sum and its activation f(z) |");
        md.AppendLine("| `δ[l][j]` | ∂C/∂z[l][j] |");
        md.AppendLine($"| `x`, `y`, `ŷ`, `C` | the input, the target, the prediction `a[{first.Layers.Count - 1}]`, the loss |");
        md.AppendLine("| (w1, z1, g1, …) | the same values numbered flat, as in the original notebook |");
    }

    private static void AppendStep(StringBuilder md, StepTrace step, ExplainNotation notation, string h2, string h3, TextWriter output)
    {
        var model = step.Model;
        bool batch = model.IsBatch;

        md.AppendLine().AppendLine($"{h2} Forward pass");
        foreach (var sample in step.Forward)
        {
            md.AppendLine();
            md.AppendLine(batch ? $"Sample {sample.Sample}: `x = {Vector(sample.Input)}`" : $"Input: `x = {Vector(sample.Input)}`");
            foreach (var layer in sample.Layers)
            {
                var spec = model.Layers[layer.Layer];
                md.AppendLine().AppendLine($"{h3} Layer {layer.Layer}: {Plural(spec.Inputs, "input")} → {Plural(spec.Outputs, "neuron")}, {spec.Activation.Name()}{(batch ? $" (sample {sample.Sample})" : "")}");
                md.AppendLine();
                md.AppendLine($"| neuron | z = Σ w·input + b | z | a = {Function(layer.Activation)}(z) |");
                md.AppendLine("|---|---|---|---|");
                foreach (var neuron in layer.Neurons)
                {
                    md.AppendLine($"| {Cell(notation.ZWithFlatName(neuron.Layer, neuron.Neuron))} | `{Cell(notation.WeightedSumSymbolic(neuron))}` = {Cell(WeightedSumNumeric(neuron))} | {Number(neuron.Z)} | {Number(neuron.A)} |");
                    ExplainOutput.Spill(output, md);
                }
            }
            md.AppendLine().AppendLine($"Prediction: `ŷ = {Vector(sample.Prediction)}`");
        }

        md.AppendLine().AppendLine($"{h2} Loss ({step.Loss.Kind.Name()})");
        var loss = new StringBuilder();
        TextRenderer.AppendLoss(loss, step.Loss, model, notation);
        md.AppendLine().AppendLine("```text").Append(loss.ToString().TrimStart('\n', '\r')).AppendLine("```");

        md.AppendLine().AppendLine($"{h2} Backward pass");
        md.AppendLine().AppendLine("Each gradient is the input its parameter multiplies times the neuron's δ = ∂C/∂z; the factors are that chain written out, and multiply to the gradient.");
        for (int l = step.Backward.Count - 1; l >= 0; l--)
        {
            var layer = step.Backward[l];
            var activation = layer.Activation;
            md.AppendLine().AppendLine($"{h3} Layer {l} ({activation.Name()}, {Function(activation)}'(z) = {DerivativeRule(activation)})");
            md.AppendLine();
            md.AppendLine(batch ? "| sample | neuron | ∂C/∂a | f'(z) | δ = f'(z) · ∂C/∂a |" : "| neuron | ∂C/∂a | f'(z) | δ = f'(z) · ∂C/∂a |");
            md.AppendLine(batch ? "|---|---|---|---|---|" : "|---|---|---|---|");
            foreach (var sampleDeltas in layer.Deltas)
                foreach (var delta in sampleDeltas)
                {
                    string outputGradient = l == notation.LastLayer
                        ? $"∂C/∂{Prediction(delta.Neuron)} = {Number(delta.OutputGradient)}"
                        : $"`{DownstreamSymbolic(delta)}` = {DownstreamNumeric(delta)} = {Number(delta.OutputGradient)}";
                    md.AppendLine($"{(batch ? $"| {delta.Sample} " : "")}| {Delta(l, delta.Neuron)} | {Cell(outputGradient)} | {Number(delta.ActivationDerivative)} | {Number(delta.Delta)} |");
                    ExplainOutput.Spill(output, md);
                }
            md.AppendLine();
            md.AppendLine("| gradient | chain rule | factors | value |");
            md.AppendLine("|---|---|---|---|");
            for (int j = 0; j < layer.Weights.Count; j++)
                foreach (var gradient in layer.Weights[j].Append(layer.Biases[j]))
                {
                    string factors = string.Join("<br>", gradient.Terms.Select(term =>
                        (batch ? $"sample {term.Sample}: " : "") + NumericProduct(term)));
                    string rule = (batch ? "Σ over samples of " : "") + notation.SymbolicProduct(gradient.Terms[0]);
                    md.AppendLine($"| ∂C/∂{Cell(notation.ParameterWithFlatName(gradient.Parameter))} | `{Cell(rule)}` | {Cell(factors)} | {Number(gradient.Gradient)} |");
                    ExplainOutput.Spill(output, md);
                }
        }

        md.AppendLine().AppendLine($"{h2} SGD update: p ← p − {Number(model.LearningRate)} · ∂C/∂p");
        md.AppendLine();
        md.AppendLine("| parameter | before | ∂C/∂p | after |");
        md.AppendLine("|---|---|---|---|");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var before = model.Layers[l];
            var after = step.Updated[l];
            for (int j = 0; j < before.Outputs; j++)
            {
                for (int i = 0; i < before.Inputs; i++)
                    md.AppendLine($"| {notation.ParameterWithFlatName(ParameterRef.Weight(l, j, i))} | {Number(before.Weights[j][i])} | {Number(step.Backward[l].Weights[j][i].Gradient)} | {Number(after.Weights[j][i])} |");
                md.AppendLine($"| {notation.ParameterWithFlatName(ParameterRef.Bias(l, j))} | {Number(before.Bias[j])} | {Number(step.Backward[l].Biases[j].Gradient)} | {Number(after.Bias[j])} |");
                ExplainOutput.Spill(output, md);
            }
        }
    }

    /// <summary>A table cell: a pipe would end it.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|");
}
