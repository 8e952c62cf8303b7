/** Distinct times, each given the index of its first appearance: an open-addressing hash on the bits of the double. */
export class TimeTable {
  private slots = new Int32Array(1024).fill(-1);
  private keys = new Float64Array(512);
  private size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  indexOf(time: number): number {
    // + 0 turns -0 into 0, so that equal values hash alike.
    const value = time + 0;
    const mask = this.slots.length - 1;
    for (let slot = this.hash(value) & mask; ; slot = (slot + 1) & mask) {
      const index = this.slots[slot]!;
      if (index < 0) return this.insert(value, slot);
      if (this.keys[index] === value) return index;
    }
  }

  values(): Float64Array {
    return this.keys.slice(0, this.size);
  }

  private insert(value: number, slot: number): number {
    const index = this.size++;
    if (index === this.keys.length) {
      const keys = new Float64Array(2 * this.keys.length);
      keys.set(this.keys);
      this.keys = keys;
    }
    this.keys[index] = value;
    this.slots[slot] = index;
    if (2 * this.size > this.slots.length) this.rehash();
    return index;
  }

  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length).fill(-1);
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = this.hash(this.keys[index]!) & mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = index;
    }
  }

  private hash(value: number): number {
    this.bits[0] = value;
    let h = Math.imul(this.words[0]! ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ this.words[1]!, 0xc2b2ae35);
    return (h ^ (h >>> 15)) >>> 0;
  }
}
