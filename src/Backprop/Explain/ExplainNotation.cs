using System.Globalization;
using Backprop.Nn;

namespace Backprop.Explain;

/// <summary>
/// How the text and Markdown renderers name and write things. Indices are the model file's: w[l][j,i] is
/// layers[l].weights[j][i], b[l][j] is layers[l].bias[j], z[l][j] and a[l][j] the neuron's weighted sum and
/// activation; x is the input, ŷ the last layer's activation, y the target. Beside them, the flat names of
/// the original notebook: weights numbered input by input (w1 … w8 for its 3-2-1 network), biases and
/// neurons layer by layer (b1 … b3, z1, z2, g1, g2).
/// </summary>
internal sealed class ExplainNotation
{
    private readonly ExplainModel model;
    private readonly int[] weightOffsets;
    private readonly int[] neuronOffsets;

    public ExplainNotation(ExplainModel model)
    {
        this.model = model;
        weightOffsets = new int[model.Layers.Count];
        neuronOffsets = new int[model.Layers.Count];
        for (int l = 1; l < model.Layers.Count; l++)
        {
            weightOffsets[l] = weightOffsets[l - 1] + model.Layers[l - 1].Inputs * model.Layers[l - 1].Outputs;
            neuronOffsets[l] = neuronOffsets[l - 1] + model.Layers[l - 1].Outputs;
        }
    }

    public int LastLayer => model.Layers.Count - 1;

    /// <summary>Shortest round-trip form, as in the JSON output.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number as a factor of a product or a term of a sum: negatives in parentheses.</summary>
    public static string Operand(double value) => value < 0 || double.IsNaN(value) ? $"({Number(value)})" : Number(value);

    public static string Vector(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(Number)) + "]";

    public static string Product(IEnumerable<string> factors) => string.Join(" · ", factors);

    public string Input(int layer, int input) => layer == 0 ? $"x[{input}]" : A(layer - 1, input);

    public static string Weight(int layer, int neuron, int input) => $"w[{layer}][{neuron},{input}]";
    public static string Bias(int layer, int neuron) => $"b[{layer}][{neuron}]";
    public static string Z(int layer, int neuron) => $"z[{layer}][{neuron}]";
    public static string A(int layer, int neuron) => $"a[{layer}][{neuron}]";
    public static string Delta(int layer, int neuron) => $"δ[{layer}][{neuron}]";
    public static string Prediction(int output) => $"ŷ[{output}]";
    public static string Target(int output) => $"y[{output}]";

    public static string Parameter(ParameterRef parameter) =>
        parameter.IsBias ? Bias(parameter.Layer, parameter.Neuron) : Weight(parameter.Layer, parameter.Neuron, parameter.Input);

    /// <summary>The notebook's flat name of a parameter: w1, w2, … (input-major within a layer), b1, b2, ….</summary>
    public string FlatName(ParameterRef parameter) => parameter.IsBias
        ? $"b{neuronOffsets[parameter.Layer] + parameter.Neuron + 1}"
        : $"w{weightOffsets[parameter.Layer] + parameter.Input * model.Layers[parameter.Layer].Outputs + parameter.Neuron + 1}";

    /// <summary>"w[0][0,2] (w5)".</summary>
    public string ParameterWithFlatName(ParameterRef parameter) => $"{Parameter(parameter)} ({FlatName(parameter)})";

    /// <summary>"z[0][1] (z2)".</summary>
    public string ZWithFlatName(int layer, int neuron) => $"{Z(layer, neuron)} (z{neuronOffsets[layer] + neuron + 1})";

    /// <summary>"a[0][1] (g2)" for hidden layers; "a[1][0] = ŷ[0]" for the last.</summary>
    public string AWithFlatName(int layer, int neuron) => layer == LastLayer
        ? $"{A(layer, neuron)} = {Prediction(neuron)}"
        : $"{A(layer, neuron)} (g{neuronOffsets[layer] + neuron + 1})";

    /// <summary>The function's symbol: σ for sigmoid, else its name.</summary>
    public static string Function(Activation activation) => activation == Activation.Sigmoid ? "σ" : activation.Name();

    /// <summary>f'(z) written out in terms of z and a, as the library computes it.</summary>
    public static string DerivativeRule(Activation activation) => activation switch
    {
        Activation.Identity => "1",
        Activation.Sigmoid => "a(1 − a)",
        Activation.Tanh => "1 − a²",
        Activation.Relu => "1 if z > 0, else 0",
        Activation.LeakyRelu => "1 if z > 0, else 0.01",
        Activation.Softplus => "σ(z)",
        Activation.Gelu => "Φ(z) + z·φ(z)",
        _ => activation.Name(),
    };

    /// <summary>f'(z[l][j]) with the numbers of the rule substituted, e.g. "0.99 · (1 − 0.99)".</summary>
    public static string DerivativeSubstituted(Activation activation, double z, double a) => activation switch
    {
        Activation.Sigmoid => $"{Operand(a)} · (1 − {Operand(a)})",
        Activation.Tanh => $"1 − {Operand(a)}²",
        // NOTE: each form must equal the derivative: "relu'(z) = z = 1.5 = 1" once read as if the slope were z.
        Activation.Relu or Activation.LeakyRelu => $"{Function(activation)}'({Number(z)})",
        Activation.Softplus => $"σ({Number(z)})",
        Activation.Gelu => $"Φ({Number(z)}) + {Operand(z)} · φ({Number(z)})",
        _ => "1",
    };

    public static string Derivative(Activation activation, int layer, int neuron) => $"{Function(activation)}'({Z(layer, neuron)})";

    /// <summary>The symbol of ∂C/∂ŷ[j] for the loss, e.g. "2(ŷ[0] − y[0])".</summary>
    public string LossGradient(int output) => model.Loss switch
    {
        LossKind.SquaredError => $"2({Prediction(output)} − {Target(output)})",
        LossKind.Mse => $"2({Prediction(output)} − {Target(output)})/{model.SampleCount * model.OutputWidth}",
        LossKind.BinaryCrossEntropy => $"(σ({Prediction(output)}) − {Target(output)})/{model.SampleCount * model.OutputWidth}",
        LossKind.CrossEntropy => $"(p[{output}] − 1[{output} = y])/{model.SampleCount}",
        _ => $"∂C/∂{Prediction(output)}",
    };

    /// <summary>A chain-rule factor's symbol.</summary>
    public string Symbol(ChainFactor factor) => factor.Kind switch
    {
        FactorKind.Input => Input(factor.Layer, factor.From),
        FactorKind.ActivationDerivative => Derivative(model.Layers[factor.Layer].Activation, factor.Layer, factor.Neuron),
        FactorKind.Weight => Weight(factor.Layer, factor.Neuron, factor.From),
        FactorKind.OutputGradient => $"∂C/∂{A(factor.Layer, factor.Neuron)}",
        FactorKind.LossGradient => LossGradient(factor.Neuron),
        _ => factor.Kind.ToString(),
    };

    /// <summary>"x[0] · σ'(z[0][0]) · w[1][0,0] · 2(ŷ[0] − y[0])".</summary>
    public string SymbolicProduct(GradientTerm term) => Product(term.Factors.Select(Symbol));

    /// <summary>"7 · 6.79E-06 · 0.3 · (-144.6)".</summary>
    public static string NumericProduct(GradientTerm term) => Product(term.Factors.Select(factor => Operand(factor.Value)));

    /// <summary>"w[0][0,0]·x[0] + … + b[0][0]".</summary>
    public string WeightedSumSymbolic(NeuronForward neuron) =>
        string.Join(" + ", Enumerable.Range(0, neuron.Weights.Length).Select(i => $"{Weight(neuron.Layer, neuron.Neuron, i)}·{Input(neuron.Layer, i)}"))
        + $" + {Bias(neuron.Layer, neuron.Neuron)}";

    /// <summary>"0.1·7 + 0.1·2 + 0.6·25 + (-4)".</summary>
    public static string WeightedSumNumeric(NeuronForward neuron) =>
        string.Join(" + ", neuron.Weights.Select((weight, i) => $"{Operand(weight)}·{Operand(neuron.Inputs[i])}"))
        + $" + {Operand(neuron.Bias)}";

    /// <summary>"w[1][0,0]·δ[1][0] + w[1][1,0]·δ[1][1]".</summary>
    public static string DownstreamSymbolic(NeuronDelta delta) =>
        string.Join(" + ", delta.Downstream.Select(term => $"{Weight(delta.Layer + 1, term.Neuron, delta.Neuron)}·{Delta(delta.Layer + 1, term.Neuron)}"));

    public static string DownstreamNumeric(NeuronDelta delta) =>
        string.Join(" + ", delta.Downstream.Select(term => $"{Operand(term.Weight)}·{Operand(term.Delta)}"));

    public string Shape() => string.Join(" → ", new[] { model.InputWidth }.Concat(model.Layers.Select(layer => layer.Outputs)));

    public static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
