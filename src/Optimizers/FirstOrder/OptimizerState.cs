using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// A snapshot of an <see cref="Optimizer"/>: which optimizer, its fixed hyper-parameters ("settings"),
/// its step count, its scalars (learning rate, momentum products, ...) and its buffers, all by name.
/// Serialize it with <see cref="ToBytes"/> / <see cref="WriteTo"/> and read it back with
/// <see cref="FromBytes"/> / <see cref="ReadFrom"/>.
/// </summary>
/// <remarks>
/// <para>Binary format, version 1 (all integers and doubles little-endian, doubles as IEEE-754 bits):</para>
/// <code>
/// "SGOS"                    4 bytes, magic
/// version                   uint16 (= 1)
/// optimizer name            string (uint16 byte count, then UTF-8)
/// dimension                 int32 (0 = never stepped)
/// step count                int64
/// entry count               uint16
/// entries                   kind: byte (1 = setting, 2 = scalar, 3 = buffer), name: string,
///                           then a double (setting, scalar) or int32 length + that many doubles (buffer)
/// checksum                  uint64, FNV-1a over every preceding byte
/// </code>
/// <para>
/// Doubles are stored as their bits, so NaN payloads, −0 and infinities survive and a restored optimizer
/// continues bit for bit. Reading rejects a wrong magic, an unknown version, a truncated or over-long
/// payload, a bad checksum, duplicate names and buffers whose length is not the dimension
/// (<see cref="InvalidDataException"/>); <see cref="Optimizer.RestoreState"/> rejects a state from another
/// optimizer type, other settings or another dimension (<see cref="ArgumentException"/>).
/// </para>
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>The format version this library writes.</summary>
    public const int CurrentFormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "SGOS"u8;

    private readonly Dictionary<string, double> _settings;
    private readonly Dictionary<string, double> _scalars;
    private readonly Dictionary<string, double[]> _buffers;
    private readonly List<(byte Kind, string Name)> _order;

    private OptimizerState(
        string optimizerName, int dimension, long stepCount,
        Dictionary<string, double> settings, Dictionary<string, double> scalars,
        Dictionary<string, double[]> buffers, List<(byte Kind, string Name)> order)
    {
        OptimizerName = optimizerName;
        Dimension = dimension;
        StepCount = stepCount;
        _settings = settings;
        _scalars = scalars;
        _buffers = buffers;
        _order = order;
    }

    /// <summary>The format version of this snapshot.</summary>
    public int FormatVersion => CurrentFormatVersion;

    /// <summary>The optimizer's class name, for example <c>"Adam"</c>.</summary>
    public string OptimizerName { get; }

    /// <summary>The parameter count (0 if the optimizer had never stepped).</summary>
    public int Dimension { get; }

    /// <summary>The number of updates performed before the snapshot.</summary>
    public long StepCount { get; }

    /// <summary>Hyper-parameters fixed at construction, by name (for example <c>beta2</c>, <c>epsilon</c>).</summary>
    public IReadOnlyDictionary<string, double> Settings => _settings;

    /// <summary>Scalars that change during a run, by name (for example <c>learning_rate</c>, <c>mu_product</c>).</summary>
    public IReadOnlyDictionary<string, double> Scalars => _scalars;

    /// <summary>Per-parameter buffers, by name (for example <c>exp_avg</c>, <c>exp_avg_sq</c>); empty before the first step.</summary>
    public IReadOnlyDictionary<string, double[]> Buffers => _buffers;

    /// <summary>Serializes the snapshot (format described on <see cref="OptimizerState"/>).</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Writes the serialized snapshot to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var w = new ChecksumWriter(stream);
        w.Write(Magic);
        w.WriteUInt16(CurrentFormatVersion);
        w.WriteString(OptimizerName);
        w.WriteInt32(Dimension);
        w.WriteInt64(StepCount);
        w.WriteUInt16(checked((ushort)_order.Count));
        foreach (var (kind, name) in _order)
        {
            w.WriteByte(kind);
            w.WriteString(name);
            switch (kind)
            {
                case KindSetting: w.WriteDouble(_settings[name]); break;
                case KindScalar: w.WriteDouble(_scalars[name]); break;
                default:
                    var buffer = _buffers[name];
                    w.WriteInt32(buffer.Length);
                    foreach (double x in buffer)
                    {
                        w.WriteDouble(x);
                    }

                    break;
            }
        }

        ulong checksum = w.Checksum;
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(tail, checksum);
        stream.Write(tail);
    }

    /// <summary>Reads a snapshot written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid snapshot (see the remarks on <see cref="OptimizerState"/>).</exception>
    public static OptimizerState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 + Magic.Length)
        {
            throw Corrupt($"only {bytes.Length} bytes");
        }

        if (!bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an optimizer state: the data does not start with \"SGOS\".");
        }

        var body = bytes[..^8];
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]);
        var r = new SpanReader(body) { Position = Magic.Length };
        if (Fnv1a(body) != stored)
        {
            throw Corrupt("the checksum does not match the contents (the data was altered or truncated)");
        }

        int version = r.ReadUInt16();
        if (version != CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"Optimizer state format version {version} is not supported (this library reads version {CurrentFormatVersion}).");
        }

        string name = r.ReadString();
        int dimension = r.ReadInt32();
        long step = r.ReadInt64();
        if (dimension < 0 || step < 0 || (dimension == 0 && step != 0))
        {
            throw Corrupt(string.Create(CultureInfo.InvariantCulture, $"dimension {dimension} with step count {step}"));
        }

        int count = r.ReadUInt16();
        var builder = new Builder(name, dimension, step);
        for (int i = 0; i < count; i++)
        {
            byte kind = r.ReadByte();
            string entry = r.ReadString();
            switch (kind)
            {
                case KindSetting: builder.Setting(entry, r.ReadDouble()); break;
                case KindScalar:
                    double value = r.ReadDouble();
                    builder.Scalar(entry, ref value);
                    break;
                case KindBuffer:
                    int length = r.ReadInt32();
                    if (length != dimension)
                    {
                        throw Corrupt($"buffer '{entry}' has length {length} but the dimension is {dimension}");
                    }

                    if ((long)length * sizeof(double) > body.Length - r.Position)
                    {
                        // Checked before the buffer is allocated: a crafted state (the checksum is no secret) with a
                        // dimension of 2³¹ − 1 asked for 16 GB, and the Explorer restores states its page sends.
                        throw Corrupt($"buffer '{entry}' has {length} doubles but only {body.Length - r.Position} bytes follow");
                    }

                    var buffer = new double[length];
                    for (int k = 0; k < length; k++)
                    {
                        buffer[k] = r.ReadDouble();
                    }

                    builder.Buffer(entry, buffer);
                    break;
                default:
                    throw Corrupt($"unknown entry kind {kind}");
            }
        }

        if (r.Position != body.Length)
        {
            throw Corrupt($"{body.Length - r.Position} unexpected bytes after the last entry");
        }

        return builder.Build();
    }

    /// <summary>Reads a snapshot from <paramref name="stream"/> (to its end).</summary>
    /// <exception cref="InvalidDataException">The data is not a valid snapshot.</exception>
    public static OptimizerState ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return FromBytes(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{OptimizerName} state v{FormatVersion}: dimension {Dimension}, step {StepCount}, buffers [{string.Join(", ", _buffers.Keys)}]");

    internal const byte KindSetting = 1;
    internal const byte KindScalar = 2;
    internal const byte KindBuffer = 3;

    internal static InvalidDataException Corrupt(string detail) =>
        new($"Corrupted optimizer state: {detail}.");

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>Collects a snapshot while an optimizer walks its state.</summary>
    internal sealed class Builder : IStateVisitor
    {
        private readonly string _name;
        private readonly int _dimension;
        private readonly long _step;
        private readonly Dictionary<string, double> _settings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _scalars = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double[]> _buffers = new(StringComparer.Ordinal);
        private readonly List<(byte, string)> _order = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public Builder(string name, int dimension, long step)
        {
            _name = name;
            _dimension = dimension;
            _step = step;
        }

        public void Setting(string name, double value)
        {
            Add(KindSetting, name);
            _settings[name] = value;
        }

        public void Scalar(string name, ref double value)
        {
            Add(KindScalar, name);
            _scalars[name] = value;
        }

        public void Buffer(string name, double[]? buffer)
        {
            if (buffer is null)
            {
                return;
            }

            Add(KindBuffer, name);
            _buffers[name] = (double[])buffer.Clone();
        }

        public OptimizerState Build() => new(_name, _dimension, _step, _settings, _scalars, _buffers, _order);

        private void Add(byte kind, string name)
        {
            if (!_names.Add(name))
            {
                throw Corrupt($"the entry '{name}' appears twice");
            }

            _order.Add((kind, name));
        }
    }

    /// <summary>Checks (and, with apply, copies) a snapshot into an optimizer walking its state.</summary>
    internal sealed class Reader : IStateVisitor
    {
        private readonly OptimizerState _state;
        private readonly bool _apply;
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public Reader(OptimizerState state, bool apply)
        {
            _state = state;
            _apply = apply;
        }

        /// <summary>Whether scalars and buffers are copied (false: a dry run that only checks).</summary>
        public bool Applies => _apply;

        public void Setting(string name, double value)
        {
            _read.Add(name);
            if (!_state._settings.TryGetValue(name, out double saved))
            {
                throw Mismatch($"it has no setting '{name}'");
            }

            if (BitConverter.DoubleToInt64Bits(saved) != BitConverter.DoubleToInt64Bits(value))
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture,
                    $"it was saved with {name} = {saved:R} but this optimizer has {name} = {value:R}"));
            }
        }

        public void Scalar(string name, ref double value)
        {
            _read.Add(name);
            if (!_state._scalars.TryGetValue(name, out double saved))
            {
                throw Mismatch($"it has no scalar '{name}'");
            }

            // A learning rate is checked as its setter checks it (a group's is NaN when the group has none of its own).
            bool groupRate = name.EndsWith(".learning_rate", StringComparison.Ordinal);
            if ((name == "learning_rate" || (groupRate && !double.IsNaN(saved))) && (!(saved >= 0) || double.IsInfinity(saved)))
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"its {name} is {saved:R}, and a learning rate must be a finite number ≥ 0"));
            }

            // The other scalars as their setters check them: a crafted state with β1 = 1, a negative momentum or a NaN
            // μ product was restored and the next steps gave NaN (red-team O).
            if (ScalarRule(name, saved) is { } rule)
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"its {name} is {saved:R}, and {rule}"));
            }

            if (_apply)
            {
                value = saved;
            }
        }

        public void Buffer(string name, double[]? buffer)
        {
            _read.Add(name);
            if (_state.Dimension == 0)
            {
                return;
            }

            if (!_state._buffers.TryGetValue(name, out var saved))
            {
                throw Mismatch($"it has no buffer '{name}'");
            }

            if (saved.Length != _state.Dimension)
            {
                throw Mismatch($"buffer '{name}' has length {saved.Length}, not {_state.Dimension}");
            }

            int bad = Array.FindIndex(saved, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"buffer '{name}' holds {saved[bad]:R} at index {bad}; every entry must be finite"));
            }

            // Averages of squares, sums of squares and maxima of magnitudes are never negative; a square root of one
            // that is gave NaN at the next step (red-team O).
            if (name is "exp_avg_sq" or "max_exp_avg_sq" or "square_avg" or "acc_delta" or "sum" or "exp_inf")
            {
                int negative = Array.FindIndex(saved, v => v < 0);
                if (negative >= 0)
                {
                    throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"buffer '{name}' holds {saved[negative]:R} at index {negative}; its entries are never negative"));
                }
            }

            if (_apply)
            {
                saved.CopyTo(buffer!, 0);
            }
        }

        /// <summary>What a scalar of this name must be, when <paramref name="value"/> is not that; null when it is.</summary>
        private string? ScalarRule(string name, double value)
        {
            bool groupEntry = name.Contains('.', StringComparison.Ordinal);
            if (groupEntry && double.IsNaN(value))
            {
                return null; // a group's own value, NaN when the group has none
            }

            string bare = groupEntry ? name[(name.LastIndexOf('.') + 1)..] : name;
            bool lion = _state.OptimizerName == "Lion";
            return bare switch
            {
                "beta1" when lion && !(value >= 0 && value <= 1) => "Lion's β1 must lie in [0, 1]",
                "beta1" when !lion && !(value >= 0 && value < 1) => "β1 must lie in [0, 1)",
                "momentum" when !double.IsNaN(value) && !(value >= 0 && double.IsFinite(value)) => "a momentum must be a finite number ≥ 0",
                "mu_product" when !(value > 0 && value <= 1) => "NAdam's μ product must lie in (0, 1]",
                "has_momentum_buffer" when value is not (0 or 1) => "it is a flag, 0 or 1",
                "bad_reports" or "cooldown_counter" or "reports" or "func_evals" or "history_count" when !(value >= 0 && value <= 1L << 53 && Math.Floor(value) == value) => "it is a count, a whole number ≥ 0",
                "best" when double.IsNaN(value) => "the best loss is a number",
                _ => null,
            };
        }

        public void ThrowIfUnread()
        {
            foreach (var (_, name) in _state._order)
            {
                if (!_read.Contains(name))
                {
                    throw Mismatch($"it has an entry '{name}' that {_state.OptimizerName} does not use");
                }
            }
        }

        private ArgumentException Mismatch(string detail) =>
            new($"This {_state.OptimizerName} state cannot be restored: {detail}.", "state");
    }

    private sealed class ChecksumWriter(Stream stream)
    {
        private ulong _hash = 14695981039346656037UL;

        public ulong Checksum => _hash;

        public void Write(ReadOnlySpan<byte> data)
        {
            foreach (byte b in data)
            {
                _hash = (_hash ^ b) * 1099511628211UL;
            }

            stream.Write(data);
        }

        public void WriteByte(byte value) => Write([value]);

        public void WriteUInt16(int value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, checked((ushort)value));
            Write(b);
        }

        public void WriteInt32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            Write(b);
        }

        public void WriteInt64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, value);
            Write(b);
        }

        public void WriteDouble(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

        public void WriteString(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            WriteUInt16(utf8.Length);
            Write(utf8);
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; set; }

        public byte ReadByte() => Take(1)[0];

        public int ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

        public string ReadString()
        {
            int length = ReadUInt16();
            try
            {
                return new UTF8Encoding(false, true).GetString(Take(length));
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt("a name is not valid UTF-8");
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || Position + count > _data.Length)
            {
                throw Corrupt("the data ends in the middle of an entry");
            }

            var slice = _data.Slice(Position, count);
            Position += count;
            return slice;
        }
    }
}
