using System.Buffers;

namespace EdgeAgent.Hal.Ros2.Messages;

/// <summary>
/// <c>sensor_msgs/msg/BatteryState</c> (ROS 2 Humble field order): header, float32 voltage, temperature, current,
/// charge, capacity, design_capacity, percentage, uint8 power_supply_status, power_supply_health,
/// power_supply_technology, bool present, float32[] cell_voltage, float32[] cell_temperature, string location,
/// string serial_number.
/// </summary>
internal sealed class BatteryStateMessage : ICdrMessage
{
    /// <summary>Default maximum number of cells. The default value is 64.</summary>
    public const int DefaultCellCapacity = 64;

    public BatteryStateMessage(int cellCapacity = DefaultCellCapacity)
    {
        CellVoltage = new SingleSequence(cellCapacity);
        CellTemperature = new SingleSequence(cellCapacity);
    }

    public HeaderMessage Header { get; } = new();

    public float Voltage { get; set; }

    public float Temperature { get; set; }

    public float Current { get; set; }

    public float Charge { get; set; }

    public float Capacity { get; set; }

    public float DesignCapacity { get; set; }

    public float Percentage { get; set; }

    public byte PowerSupplyStatus { get; set; }

    public byte PowerSupplyHealth { get; set; }

    public byte PowerSupplyTechnology { get; set; }

    public bool Present { get; set; }

    public SingleSequence CellVoltage { get; }

    public SingleSequence CellTemperature { get; }

    public RosString Location { get; } = new();

    public RosString SerialNumber { get; } = new();

    /// <summary>Decodes a sample; <paramref name="into"/> is valid only when the result is Ok.</summary>
    public static CdrStatus Decode(ReadOnlySpan<byte> sample, BatteryStateMessage into) => CdrMessage.Decode(sample, into);

    public CdrStatus Encode(IBufferWriter<byte> output) => CdrMessage.Encode(this, output);

    public CdrStatus Encode(Span<byte> destination, out int written) => CdrMessage.Encode(this, destination, out written);

    void ICdrMessage.Read(ref CdrReader reader)
    {
        Header.Read(ref reader);
        Voltage = reader.ReadSingle();
        Temperature = reader.ReadSingle();
        Current = reader.ReadSingle();
        Charge = reader.ReadSingle();
        Capacity = reader.ReadSingle();
        DesignCapacity = reader.ReadSingle();
        Percentage = reader.ReadSingle();
        PowerSupplyStatus = reader.ReadByte();
        PowerSupplyHealth = reader.ReadByte();
        PowerSupplyTechnology = reader.ReadByte();
        Present = reader.ReadBool();
        reader.ReadSingles(CellVoltage);
        reader.ReadSingles(CellTemperature);
        reader.ReadString(Location);
        reader.ReadString(SerialNumber);
    }

    void ICdrMessage.Write(ref CdrWriter writer)
    {
        Header.Write(ref writer);
        writer.WriteSingle(Voltage);
        writer.WriteSingle(Temperature);
        writer.WriteSingle(Current);
        writer.WriteSingle(Charge);
        writer.WriteSingle(Capacity);
        writer.WriteSingle(DesignCapacity);
        writer.WriteSingle(Percentage);
        writer.WriteByte(PowerSupplyStatus);
        writer.WriteByte(PowerSupplyHealth);
        writer.WriteByte(PowerSupplyTechnology);
        writer.WriteBool(Present);
        writer.WriteSingles(CellVoltage.Span);
        writer.WriteSingles(CellTemperature.Span);
        writer.WriteString(Location.Utf8);
        writer.WriteString(SerialNumber.Utf8);
    }
}
