using System.Globalization;
using System.Text;
using Backprop.Data;
using FsCheck.Xunit;

namespace Backprop.Tests.Data;

/// <summary>A large file read in stretches on several threads gives what reading it in one go gives: the same data set,
/// bit for bit, or the same error about the same line.</summary>
public sealed class CsvLoaderStretchesTests
{
    static CsvLoadOptions InOneGo(CsvLoadOptions options) => options with { ParallelFromBytes = long.MaxValue };

    static CsvLoadOptions InStretches(CsvLoadOptions options, int stretches) => options with { ParallelFromBytes = 1, ParallelStretches = stretches };

    // A CSV of random rows: integers, decimals, exponents and negatives; blank lines; LF or CRLF; a final newline or not.
    static string RandomCsv(int seed, bool regression)
    {
        var random = new Random(seed);
        int columns = random.Next(1, 6), rows = random.Next(1, 300);
        string newline = random.Next(2) == 0 ? "\n" : "\r\n";
        var text = new StringBuilder(string.Join(",", Enumerable.Range(0, columns).Select(c => $"x{c}")) + ",y" + newline);
        for (int row = 0; row < rows; row++)
        {
            if (random.Next(20) == 0) text.Append(newline);
            var values = Enumerable.Range(0, columns).Select(_ => random.Next(4) switch
            {
                0 => random.Next(-50, 256).ToString(CultureInfo.InvariantCulture),
                1 => (random.NextDouble() * 100 - 50).ToString("F3", CultureInfo.InvariantCulture),
                2 => (random.NextDouble() * 1e6).ToString("E2", CultureInfo.InvariantCulture),
                _ => "-0." + random.Next(1000).ToString(CultureInfo.InvariantCulture),
            });
            string target = regression ? (random.NextDouble() * 10).ToString("R", CultureInfo.InvariantCulture) : "c" + random.Next(3);
            text.Append(string.Join(",", values)).Append(',').Append(target);
            if (row < rows - 1 || random.Next(2) == 0) text.Append(newline);
        }
        return text.ToString();
    }

    static void AssertSame(DataSet expected, DataSet actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        Assert.Equal(expected.Features.Select(BitConverter.SingleToInt32Bits), actual.Features.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.Targets, actual.Targets);
    }

    [Property(MaxTest = 60)]
    public void A_file_read_in_stretches_gives_the_data_set_read_in_one_go(int seed, bool regression, byte stretches)
    {
        using var folder = new TempFolder();
        string path = folder.Write("data.csv", RandomCsv(seed, regression));
        var options = new CsvLoadOptions { Target = "y" };

        AssertSame(CsvLoader.Load(path, InOneGo(options)), CsvLoader.Load(path, InStretches(options, 2 + stretches % 5)));
    }

    [Fact]
    public void A_file_past_the_default_size_loads_as_it_does_in_one_go()
    {
        using var folder = new TempFolder();
        var text = new StringBuilder("a,b,c,d,e,f,g,h,y\n");
        for (int row = 0; text.Length < CsvLoadOptions.DefaultParallelFromBytes + 1_000_000; row++)
            text.Append(CultureInfo.InvariantCulture, $"{row},{row % 7}.5,-{row % 13},{row * 3},0.{row % 100},{row % 2},1e{row % 5},{row},c{row % 4}\n");
        string path = folder.Write("large.csv", text.ToString());
        var options = new CsvLoadOptions { Target = "y" };

        AssertSame(CsvLoader.Load(path, InOneGo(options)), CsvLoader.Load(path, options));
    }

    [Theory]
    [InlineData("x1", "abc")]       // a value that is not a number
    [InlineData("x0", "1,2")]       // a field too many
    [InlineData("x2", "")]          // an empty value
    [InlineData("x1", "1e999")]     // beyond float32
    public void A_bad_value_is_reported_at_the_same_line_as_in_one_go(string column, string bad)
    {
        using var folder = new TempFolder();
        for (int seed = 0; seed < 6; seed++)
        {
            string[] lines = Rows(400).Split('\n');
            int at = 1 + new Random(seed).Next(lines.Length - 2), later = Math.Min(lines.Length - 2, at + 150);
            lines[at] = Spoil(lines[at], column, bad);
            if (seed % 2 == 0) lines[later] = Spoil(lines[later], "x0", "later");  // a second error further on
            string path = folder.Write($"bad{seed}.csv", string.Join('\n', lines));
            var options = new CsvLoadOptions { Target = "y" };

            string expected = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, InOneGo(options))).Message;
            foreach (int stretches in new[] { 2, 3, 7 })
                Assert.Equal(expected, Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, InStretches(options, stretches))).Message);
        }
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_reported_at_the_same_line_as_in_one_go()
    {
        using var folder = new TempFolder();
        byte[] bytes = Encoding.UTF8.GetBytes(Rows(400));
        int line = 0, at = 0;
        while (line < 300) if (bytes[at++] == '\n') line++;
        bytes[at + 1] = 0xFF;
        string path = folder.WriteBytes("latin.csv", bytes);
        var options = new CsvLoadOptions { Target = "y" };

        string expected = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, InOneGo(options))).Message;

        Assert.Contains(":301:", expected);
        Assert.Equal(expected, Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, InStretches(options, 3))).Message);
    }

    [Fact]
    public void A_file_with_quotes_is_read_in_one_go_since_a_quoted_newline_may_fall_at_a_cut()
    {
        using var folder = new TempFolder();
        // Most of the file's lines are inside quoted notes, so wherever a cut fell it would split a record.
        var text = new StringBuilder("x0,note,y\n");
        for (int row = 0; row < 6; row++)
            text.Append(row).Append(",\"").Append(string.Join('\n', Enumerable.Range(0, 100).Select(i => $"line {i}"))).Append("\",c").Append(row % 2).Append('\n');
        string path = folder.Write("quoted.csv", text.ToString());
        var options = new CsvLoadOptions { Target = "y", FeatureNames = ["x0"], TargetOptional = true };

        var data = CsvLoader.Load(path, InStretches(options, 4));

        Assert.Equal(6, data.Rows);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)i), data.Features);
    }

    [Fact]
    public void A_utf16_file_is_read_in_one_go_since_its_newline_bytes_do_not_mark_characters()
    {
        using var folder = new TempFolder();
        string path = folder.WriteBytes("utf16.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Rows(300))]);
        var options = new CsvLoadOptions { Target = "y" };

        AssertSame(CsvLoader.Load(path, InOneGo(options)), CsvLoader.Load(path, InStretches(options, 3)));
    }

    static string Rows(int count) =>
        "x0,x1,x2,y\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"{i},{i * 0.5},{-i},c{i % 3}\n"));

    static string Spoil(string line, string column, string bad)
    {
        string[] fields = line.Split(',');
        fields[int.Parse(column[1..], CultureInfo.InvariantCulture)] = bad;
        return string.Join(',', fields);
    }
}
