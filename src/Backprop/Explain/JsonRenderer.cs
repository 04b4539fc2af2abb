using System.Text;
using System.Text.Json;

namespace Backprop.Explain;

/// <summary>
/// The contract's JSON: {"forward": {"layers": [{"z", "a"}], "prediction", "loss"}, "gradients": [{"weights",
/// "bias"}], "updated": [{"weights", "bias"}]}; with several steps, {"steps": [...]}. For a batch, z, a and
/// prediction are lists of per-sample lists. Numbers are shortest round-trip.
/// </summary>
public static class JsonRenderer
{
    /// <summary>The trace as JSON.</summary>
    public static string Render(ExplainTrace trace) => ExplainOutput.ToText(Write, trace);

    /// <summary>Prints <paramref name="stepCount"/> steps to <paramref name="output"/>, each as soon as it is enumerated.</summary>
    public static void Write(TextWriter output, IEnumerable<StepTrace> steps, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(steps);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (stepCount > 1)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("steps");
            }
            foreach (var step in steps)
            {
                WriteStep(writer, step);
                // NOTE: the writer only appends to its stream, so the bytes flushed so far can leave and the stream restart.
                writer.Flush();
                output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                buffer.SetLength(0);
            }
            if (stepCount > 1)
            {
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }
        output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write("\n");
    }

    private static void WriteStep(Utf8JsonWriter writer, StepTrace step)
    {
        bool batch = step.Model.IsBatch;
        writer.WriteStartObject();

        writer.WriteStartObject("forward");
        writer.WriteStartArray("layers");
        for (int l = 0; l < step.Model.Layers.Count; l++)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("z");
            WritePerSample(writer, step.Forward.Select(sample => sample.Layers[l].Z).ToArray(), batch);
            writer.WritePropertyName("a");
            WritePerSample(writer, step.Forward.Select(sample => sample.Layers[l].A).ToArray(), batch);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WritePropertyName("prediction");
        WritePerSample(writer, step.Forward.Select(sample => sample.Prediction).ToArray(), batch);
        writer.WritePropertyName("loss");
        WriteNumber(writer, step.Loss.Value);
        writer.WriteEndObject();

        writer.WriteStartArray("gradients");
        foreach (var layer in step.Backward)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("weights");
            WriteMatrix(writer, layer.Weights.Select(row => row.Select(gradient => gradient.Gradient).ToArray()).ToArray());
            writer.WritePropertyName("bias");
            WriteVector(writer, layer.Biases.Select(gradient => gradient.Gradient).ToArray());
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteStartArray("updated");
        foreach (var layer in step.Updated)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("weights");
            WriteMatrix(writer, layer.Weights);
            writer.WritePropertyName("bias");
            WriteVector(writer, layer.Bias);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();

        writer.WriteEndObject();
    }

    private static void WritePerSample(Utf8JsonWriter writer, double[][] perSample, bool batch)
    {
        if (batch) WriteMatrix(writer, perSample);
        else WriteVector(writer, perSample[0]);
    }

    private static void WriteMatrix(Utf8JsonWriter writer, IEnumerable<double[]> rows)
    {
        writer.WriteStartArray();
        foreach (var row in rows) WriteVector(writer, row);
        writer.WriteEndArray();
    }

    private static void WriteVector(Utf8JsonWriter writer, double[] values)
    {
        writer.WriteStartArray();
        foreach (double value in values) WriteNumber(writer, value);
        writer.WriteEndArray();
    }

    /// <summary>Shortest round-trip digits (Utf8JsonWriter's default for double). JSON has no NaN or ∞, so a
    /// diverging step writes those as the strings "NaN", "Infinity", "-Infinity" (System.Text.Json's named literals).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
}
