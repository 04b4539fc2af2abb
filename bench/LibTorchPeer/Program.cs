// libtorch side of the bench's `--libtorch` runs: the same workloads as bench/torch_gemm.py and
// bench/torch_training.py, through TorchSharp (libtorch 2.10 with MKL, in-process, no Python), written as a
// TorchSharp user would write them. Prints one JSON object, as the Python scripts do.
//   gemm N REPS                        {"gflops": [...]}: float32 C = A·B, each repetition ~0.3 s of products
//   notebook REPS                      {"seconds": [...]}: the notebook's 3-2-1 step, float64, seconds per step
//   mlp WIDTHS BATCH REPS DATA_DIR     {"seconds": [...]}: one Fashion-MNIST epoch, SGD momentum 0.9, lr 0.05
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

torch.set_num_threads(2);
object result = args[0] switch
{
    "gemm" => new { gflops = Gemm(int.Parse(args[1]), int.Parse(args[2])) },
    "notebook" => new { seconds = Notebook(int.Parse(args[1])) },
    "mlp" => new { seconds = Mlp(args[1].Split(',').Select(int.Parse).ToArray(), int.Parse(args[2]), int.Parse(args[3]), args[4]) },
    _ => throw new ArgumentException($"unknown workload {args[0]}"),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

static List<double> Gemm(int n, int repetitions)
{
    var generator = new Generator(1);
    using var a = torch.rand(n, n, ScalarType.Float32, generator: generator) - 0.5;
    using var b = torch.rand(n, n, ScalarType.Float32, generator: generator) - 0.5;
    using var c = torch.empty(n, n, ScalarType.Float32);
    // C = 0·C + A·B in place: no output allocated per product, as PyTorch's matmul(out=) and our Gemm.Multiply.
    var clock = Stopwatch.StartNew();
    int calls = 0;
    while (clock.Elapsed.TotalSeconds < 0.2 || calls < 3)
    {
        c.addmm_(a, b, beta: 0, alpha: 1);
        calls++;
    }
    int perRepetition = Math.Max(1, (int)(calls * 0.3 / clock.Elapsed.TotalSeconds));
    var gflops = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        clock.Restart();
        for (int i = 0; i < perRepetition; i++) c.addmm_(a, b, beta: 0, alpha: 1);
        gflops.Add(2.0 * n * n * n * perRepetition / clock.Elapsed.TotalSeconds / 1e9);
    }
    return gflops;
}

static List<double> Notebook(int repetitions)
{
    var w1 = nn.Parameter(torch.tensor(new double[,] { { 0.1, 0.1, 0.6 }, { 0.16, 0.1, 0.5 } }));
    var b1 = nn.Parameter(torch.tensor(new[] { -4.0, -2.0 }));
    var w2 = nn.Parameter(torch.tensor(new double[,] { { 0.3, 0.4 } }));
    var b2 = nn.Parameter(torch.tensor(new[] { 12.0 }));
    var x = torch.tensor(new[] { 7.0, 2.0, 25.0 });
    var y = torch.tensor(new[] { 85.0 });
    var optimizer = torch.optim.SGD([w1, b1, w2, b2], 0.1);
    const int steps = 2000;
    var seconds = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            // The scope frees each step's intermediate tensors, as a TorchSharp training loop must.
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var hidden = torch.sigmoid(nn.functional.linear(x, w1, b1));
            var loss = (nn.functional.linear(hidden, w2, b2) - y).pow(2).sum();
            loss.backward();
            optimizer.step();
        }
        seconds.Add(clock.Elapsed.TotalSeconds / steps);
    }
    return seconds;
}

static List<double> Mlp(int[] widths, int batch, int repetitions, string folder)
{
    using var images = ReadIdx(Path.Combine(folder, "train-images-idx3-ubyte.gz"), [60000, 784]).to_type(ScalarType.Float32) / 255;
    using var labels = ReadIdx(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), [60000]).to_type(ScalarType.Int64);
    torch.manual_seed(0);
    var layers = new List<nn.Module<Tensor, Tensor>>();
    long width = 784;
    foreach (int hidden in widths)
    {
        layers.Add(nn.Linear(width, hidden));
        layers.Add(nn.ReLU());
        width = hidden;
    }
    layers.Add(nn.Linear(width, 10));
    var model = nn.Sequential(layers);
    var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
    var lossFunction = nn.CrossEntropyLoss();
    var seconds = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        using var order = torch.randperm(60000);
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < 60000; i += batch)
        {
            using var scope = torch.NewDisposeScope();
            var index = order.narrow(0, i, Math.Min(batch, 60000 - i));
            optimizer.zero_grad();
            var loss = lossFunction.forward(model.forward(images.index_select(0, index)), labels.index_select(0, index));
            loss.backward();
            optimizer.step();
        }
        seconds.Add(clock.Elapsed.TotalSeconds);
    }
    return seconds;
}

static Tensor ReadIdx(string path, long[] shape)
{
    using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    byte[] bytes = memory.ToArray();
    int header = 4 + 4 * bytes[3];
    return torch.tensor(bytes[header..], ScalarType.Byte).reshape(shape);
}
