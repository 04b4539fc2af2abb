using System.Text;
using Backprop.Nn;
using static Backprop.Explain.ExplainNotation;

namespace Backprop.Explain;

/// <summary>
/// The default output of `backprop explain`: the notebook's walk through one step, for any network, with every
/// equation written symbolically and then with its numbers substituted.
/// </summary>
public static class TextRenderer
{
    /// <summary>The trace as plain text.</summary>
    public static string Render(ExplainTrace trace) => ExplainOutput.ToText(Write, trace);

    /// <summary>Prints <paramref name="stepCount"/> steps to <paramref name="output"/>, each as soon as it is enumerated.</summary>
    public static void Write(TextWriter output, IEnumerable<StepTrace> steps, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(steps);
        var text = new StringBuilder();
        ExplainNotation? notation = null;
        var losses = new List<double>(stepCount > 1 ? stepCount : 0);
        foreach (var step in steps)
        {
            if (notation is null)
            {
                notation = new ExplainNotation(step.Model);
                text.AppendLine($"Backprop explain: {Describe(step.Model, notation, stepCount)}");
                text.AppendLine();
                AppendNotation(text, step.Model);
            }
            if (stepCount > 1) text.AppendLine().AppendLine($"════════ Step {step.Step} of {stepCount} ════════");
            AppendStep(text, step, notation, output);
            if (stepCount > 1) losses.Add(step.Loss.Value);
            ExplainOutput.Flush(output, text);
        }
        if (stepCount > 1)
        {
            text.AppendLine().AppendLine("Loss by step (before each update)");
            for (int s = 0; s < losses.Count; s++) text.AppendLine($"  step {s + 1}: C = {Number(losses[s])}");
        }
        ExplainOutput.Flush(output, text);
    }

    internal static string Describe(ExplainModel model, ExplainNotation notation, int steps) =>
        $"{(steps == 1 ? "one SGD step" : $"{steps} SGD steps")} of a {notation.Shape()} network " +
        $"({Plural(model.SampleCount, "sample")}, loss {model.Loss.Name()}, learning rate {Number(model.LearningRate)})";

    private static void AppendNotation(StringBuilder text, ExplainModel model)
    {
        text.AppendLine("Notation");
        text.AppendLine("  w[l][j,i]  layers[l].weights[j][i]: the weight into neuron j of layer l from its input i");
        text.AppendLine("  b[l][j]    layers[l].bias[j]");
        text.AppendLine("  z[l][j]    the neuron's weighted sum;  a[l][j] = f(z[l][j]), its activation;  δ[l][j] = ∂C/∂z[l][j]");
        text.AppendLine($"  x, y, ŷ    the input, the target, the prediction ŷ = a[{model.Layers.Count - 1}];  C the loss");
        text.AppendLine("  (w1, z1, g1, …)  the same values numbered flat, as in the original notebook");
    }

    private static void AppendStep(StringBuilder text, StepTrace step, ExplainNotation notation, TextWriter output)
    {
        var model = step.Model;
        bool batch = model.IsBatch;

        foreach (var sample in step.Forward)
        {
            text.AppendLine();
            text.AppendLine(batch ? $"Forward pass, sample {sample.Sample}" : "Forward pass");
            text.AppendLine($"  x = {Vector(sample.Input)}");
            foreach (var layer in sample.Layers)
            {
                var spec = model.Layers[layer.Layer];
                text.AppendLine($"  layer {layer.Layer}: {Plural(spec.Inputs, "input")} → {Plural(spec.Outputs, "neuron")}, {spec.Activation.Name()}");
                foreach (var neuron in layer.Neurons)
                {
                    Equation(text, "    ", notation.ZWithFlatName(neuron.Layer, neuron.Neuron),
                        notation.WeightedSumSymbolic(neuron), WeightedSumNumeric(neuron), Number(neuron.Z));
                    string a = notation.AWithFlatName(neuron.Layer, neuron.Neuron);
                    if (layer.Activation == Activation.Identity)
                        Equation(text, "    ", a, Z(neuron.Layer, neuron.Neuron), Number(neuron.A));
                    else
                        Equation(text, "    ", a, $"{Function(layer.Activation)}({Z(neuron.Layer, neuron.Neuron)})",
                            $"{Function(layer.Activation)}({Number(neuron.Z)})", Number(neuron.A));
                    ExplainOutput.Spill(output, text);
                }
            }
            text.AppendLine($"  prediction ŷ = {Vector(sample.Prediction)}");
        }

        AppendLoss(text, step.Loss, model, notation);

        text.AppendLine();
        text.AppendLine("Backward pass: the chain rule, from the loss back to the input (∂C/∂p = the input p multiplies · δ)");
        for (int l = step.Backward.Count - 1; l >= 0; l--)
        {
            var layer = step.Backward[l];
            text.AppendLine(layer.Activation == Activation.Identity
                ? $"  layer {l} (identity: ∂a/∂z = 1)"
                : $"  layer {l} ({layer.Activation.Name()}: {Function(layer.Activation)}'(z) = {DerivativeRule(layer.Activation)})");
            foreach (var sampleDeltas in layer.Deltas)
                foreach (var delta in sampleDeltas)
                {
                    AppendDelta(text, delta, layer.Activation, notation, batch);
                    ExplainOutput.Spill(output, text);
                }
            for (int j = 0; j < layer.Weights.Count; j++)
            {
                foreach (var gradient in layer.Weights[j])
                {
                    AppendGradient(text, gradient, notation);
                    ExplainOutput.Spill(output, text);
                }
                AppendGradient(text, layer.Biases[j], notation);
            }
        }

        text.AppendLine();
        text.AppendLine($"SGD update: p ← p − {Number(model.LearningRate)} · ∂C/∂p");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var before = model.Layers[l];
            var after = step.Updated[l];
            var gradients = step.Backward[l];
            for (int j = 0; j < before.Outputs; j++)
            {
                for (int i = 0; i < before.Inputs; i++)
                    Update(text, notation.ParameterWithFlatName(ParameterRef.Weight(l, j, i)), before.Weights[j][i], model.LearningRate, gradients.Weights[j][i].Gradient, after.Weights[j][i]);
                Update(text, notation.ParameterWithFlatName(ParameterRef.Bias(l, j)), before.Bias[j], model.LearningRate, gradients.Biases[j].Gradient, after.Bias[j]);
                ExplainOutput.Spill(output, text);
            }
        }
    }

    internal static void AppendLoss(StringBuilder text, LossTrace loss, ExplainModel model, ExplainNotation notation)
    {
        text.AppendLine();
        var samples = loss.Samples;
        string Over(string sum) => loss.Denominator == 1 ? sum : $"({sum}) / {loss.Denominator}";
        switch (loss.Kind)
        {
            case LossKind.SquaredError or LossKind.Mse:
                text.AppendLine(loss.Kind == LossKind.SquaredError
                    ? "Loss (squared_error): C = Σ (ŷ − y)², over samples and outputs"
                    : $"Loss (mse): C = Σ (ŷ − y)² / {loss.Denominator}, the mean over samples and outputs");
                var squares = samples.SelectMany(sample => sample.Prediction.Select((p, j) => $"({Number(p)} − {Operand(sample.Target[j])})²"));
                Equation(text, "  ", "C", Over(string.Join(" + ", squares)), Number(loss.Value));
                break;
            case LossKind.BinaryCrossEntropy:
                text.AppendLine($"Loss (binary_cross_entropy): C = Σ [max(ŷ, 0) − ŷ·y + log(1 + e^−|ŷ|)] / {loss.Denominator}, the logistic loss of the logits ŷ, averaged");
                foreach (var sample in samples)
                    for (int j = 0; j < sample.Prediction.Length; j++)
                    {
                        double p = sample.Prediction[j];
                        string where = model.IsBatch ? $"sample {sample.Sample}, output {j}" : $"output {j}";
                        text.AppendLine($"  {where}: max({Number(p)}, 0) − {Operand(p)}·{Number(sample.Target[j])} + log(1 + e^−{Number(Math.Abs(p))}) = {Number(sample.Terms[j])}");
                    }
                Equation(text, "  ", "C", Over(string.Join(" + ", samples.SelectMany(sample => sample.Terms).Select(Operand))), Number(loss.Value));
                break;
            case LossKind.CrossEntropy:
                text.AppendLine($"Loss (cross_entropy): C = Σ [logsumexp(ŷ) − ŷ[y]] / {loss.Denominator}, softmax cross-entropy of the logits ŷ, averaged over samples");
                foreach (var sample in samples)
                {
                    int target = (int)sample.Target[0];
                    string where = model.IsBatch ? $"sample {sample.Sample} (class y = {target})" : $"class y = {target}";
                    text.AppendLine($"  {where}: log({string.Join(" + ", sample.Prediction.Select(p => $"e^{Operand(p)}"))}) − {Operand(sample.Prediction[target])} = {Number(sample.Terms[0])}");
                    text.AppendLine($"    p = softmax(ŷ) = {Vector(sample.Softmax!)}");
                }
                Equation(text, "  ", "C", Over(string.Join(" + ", samples.Select(sample => Operand(sample.Terms[0])))), Number(loss.Value));
                break;
        }

        text.AppendLine("  where the chain rule starts, ∂C/∂ŷ:");
        foreach (var sample in samples)
            for (int j = 0; j < sample.Prediction.Length; j++)
            {
                string prefix = model.IsBatch ? $"  sample {sample.Sample}: " : "  ";
                Equation(text, prefix, $"∂C/∂{Prediction(j)}", notation.LossGradient(j), LossGradientSubstituted(loss, sample, j), Number(sample.PredictionGradient[j]));
            }
    }

    private static string LossGradientSubstituted(LossTrace loss, LossSample sample, int j)
    {
        string over = loss.Denominator == 1 ? "" : $"/{loss.Denominator}";
        return loss.Kind switch
        {
            LossKind.SquaredError or LossKind.Mse => $"2·({Number(sample.Prediction[j])} − {Operand(sample.Target[j])}){over}",
            LossKind.BinaryCrossEntropy => $"(σ({Number(sample.Prediction[j])}) − {Number(sample.Target[j])}){over}",
            _ => $"({Number(sample.Softmax![j])} − {(j == (int)sample.Target[0] ? 1 : 0)}){over}",
        };
    }

    private static void AppendDelta(StringBuilder text, NeuronDelta delta, Activation activation, ExplainNotation notation, bool batch)
    {
        string indent = batch ? $"    sample {delta.Sample}: " : "    ";
        int l = delta.Layer, j = delta.Neuron;
        string deltaName = $"{Delta(l, j)} = ∂C/∂{Z(l, j)}";
        string outputGradient = l == notation.LastLayer ? $"∂C/∂{Prediction(j)}" : $"∂C/∂{A(l, j)}";
        if (l != notation.LastLayer)
            Equation(text, indent, outputGradient, DownstreamSymbolic(delta), DownstreamNumeric(delta), Number(delta.OutputGradient));
        if (activation == Activation.Identity)
        {
            Equation(text, indent, deltaName, outputGradient, Number(delta.Delta));
            return;
        }
        string derivative = Derivative(activation, l, j);
        Equation(text, indent, derivative, DerivativeSubstituted(activation, delta.Z, delta.A), Number(delta.ActivationDerivative));
        Equation(text, indent, deltaName, $"{derivative} · {outputGradient}",
            $"{Operand(delta.ActivationDerivative)} · {Operand(delta.OutputGradient)}", Number(delta.Delta));
    }

    private static void AppendGradient(StringBuilder text, ParameterGradient gradient, ExplainNotation notation)
    {
        string name = $"∂C/∂{notation.ParameterWithFlatName(gradient.Parameter)}";
        var symbolic = notation.SymbolicProduct(gradient.Terms[0]);
        if (gradient.Terms.Count == 1)
        {
            var term = gradient.Terms[0];
            if (term.Factors.Count == 1) Equation(text, "    ", name, symbolic, Number(gradient.Gradient));
            else Equation(text, "    ", name, symbolic, NumericProduct(term), Number(gradient.Gradient));
            return;
        }
        Equation(text, "    ", name, $"Σ over samples of {symbolic}");
        foreach (var term in gradient.Terms)
            text.AppendLine(term.Factors.Count == 1
                ? $"        sample {term.Sample}: {Number(term.Product)}"
                : $"        sample {term.Sample}: {NumericProduct(term)} = {Number(term.Product)}");
        text.AppendLine($"{new string(' ', 4 + name.Length)} = {Number(gradient.Gradient)}");
    }

    private static void Update(StringBuilder text, string name, double before, double learningRate, double gradient, double after) =>
        Equation(text, "  ", name, $"{Number(before)} − {Number(learningRate)} · {Operand(gradient)}", Number(after));

    /// <summary>
    /// "left = first", then each further form on its own line under the first "=", skipping forms that read the
    /// same as the one before. Short chains stay on one line.
    /// </summary>
    internal static void Equation(StringBuilder text, string indent, string left, params string[] forms)
    {
        var distinct = new List<string>();
        foreach (var form in forms)
            if (distinct.Count == 0 || distinct[^1] != form) distinct.Add(form);
        string oneLine = $"{indent}{left} = {string.Join(" = ", distinct)}";
        if (oneLine.Length <= 100 || distinct.Count == 1)
        {
            text.AppendLine(oneLine);
            return;
        }
        text.AppendLine($"{indent}{left} = {distinct[0]}");
        string pad = new(' ', indent.Length + left.Length);
        foreach (var form in distinct.Skip(1)) text.AppendLine($"{pad} = {form}");
    }
}
