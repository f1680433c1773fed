import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where the bytes of attachments live. The database keeps metadata only (diagnosis_attachments); an object store
 * (S3, MinIO, a PACS) is another implementation of this interface.
 */
export interface BlobStorage {
  /** Stores bytes under a new key and returns it with the size and SHA-256 computed from the bytes. */
  put(bytes: Buffer, hint: { requestId: string }): Promise<{ key: string; sizeBytes: number; sha256: string }>;
  get(key: string): Promise<Buffer>;
  /** Removes an object written by a transaction that then failed (best effort). */
  remove(key: string): Promise<void>;
  /**
   * A file derived from stored bytes (a thumbnail), keyed by the source's SHA-256 and a variant name such as
   * `thumbnail-256.png`; null when it has not been made yet. Derived files can always be made again from the source.
   */
  getDerived(sourceSha256: string, variant: string): Promise<Buffer | null>;
  putDerived(sourceSha256: string, variant: string, bytes: Buffer): Promise<void>;
}

/** A derived object's key: only a SHA-256 and a plain variant name, so no caller can reach outside the store. */
function derivedKey(sourceSha256: string, variant: string): string {
  if (!/^[0-9a-f]{64}$/.test(sourceSha256)) throw new Error(`无效的 SHA-256：${sourceSha256}`);
  if (!/^[a-z0-9-]+(\.[a-z0-9]+)?$/.test(variant)) throw new Error(`无效的派生文件名：${variant}`);
  return `derived/${variant}/${sourceSha256.slice(0, 2)}/${sourceSha256}`;
}

/**
 * Filesystem storage under the data directory: content-addressed by SHA-256 (`<root>/<ab>/<sha256>`), so a file
 * uploaded twice is stored once and a key can never point outside the root. Written to a temporary name and renamed,
 * so a crash leaves no half-written object under a real key.
 */
export class FileSystemBlobStorage implements BlobStorage {
  constructor(private readonly root: string) {}

  async put(bytes: Buffer, _hint: { requestId: string }): Promise<{ key: string; sizeBytes: number; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `${sha256.slice(0, 2)}/${sha256}`;
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return { key, sizeBytes: bytes.length, sha256 };
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async remove(_key: string): Promise<void> {
    // Content-addressed objects may be shared by several attachments; unreferenced ones are left for a sweep job.
  }

  async getDerived(sourceSha256: string, variant: string): Promise<Buffer | null> {
    try {
      return await readFile(path.join(this.root, derivedKey(sourceSha256, variant)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async putDerived(sourceSha256: string, variant: string, bytes: Buffer): Promise<void> {
    const file = path.join(this.root, derivedKey(sourceSha256, variant));
    await mkdir(path.dirname(file), { recursive: true });
    // Two readers may render the same thumbnail at once: both write a temporary file, the last rename wins, same bytes.
    const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`无效的存储键：${key}`);
    return path.join(this.root, key);
  }
}

/** In-memory storage for tests and tools. */
export class MemoryBlobStorage implements BlobStorage {
  private readonly objects = new Map<string, Buffer>();
  async put(bytes: Buffer): Promise<{ key: string; sizeBytes: number; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `${sha256.slice(0, 2)}/${sha256}`;
    this.objects.set(key, Buffer.from(bytes));
    return { key, sizeBytes: bytes.length, sha256 };
  }
  async get(key: string): Promise<Buffer> {
    const b = this.objects.get(key);
    if (!b) throw new Error(`对象不存在：${key}`);
    return b;
  }
  async remove(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async getDerived(sourceSha256: string, variant: string): Promise<Buffer | null> {
    return this.objects.get(derivedKey(sourceSha256, variant)) ?? null;
  }
  async putDerived(sourceSha256: string, variant: string, bytes: Buffer): Promise<void> {
    this.objects.set(derivedKey(sourceSha256, variant), Buffer.from(bytes));
  }
}
