package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	tl "github.com/trustledger/trustledger"
)

// Argon2id parameters: OWASP's minimum for argon2id (19 MiB, two passes,
// one lane). They are written into every hash, so raising them later
// still verifies the hashes made before.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// hashSlots caps concurrent hashes at the CPU count: each takes 19 MiB
// and a core for tens of milliseconds, so a burst of logins queues here
// instead of exhausting memory.
var hashSlots = make(chan struct{}, runtime.NumCPU())

// checkPassword validates a new password's length.
func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < tl.MinPasswordLength {
		return tl.Errorf(tl.EINVALID, "a password needs at least %d characters", tl.MinPasswordLength)
	}
	if n > tl.MaxPasswordLength {
		return tl.Errorf(tl.EINVALID, "a password may have at most %d characters, this one has %d: shorten it", tl.MaxPasswordLength, n)
	}
	return nil
}

// argonKey derives the key under the concurrency cap.
func argonKey(ctx context.Context, password string, salt []byte, t, m uint32, p uint8, keyLen uint32) ([]byte, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, t, m, p, keyLen), nil
}

// hashPassword returns the PHC string of an argon2id hash of password
// with a fresh salt: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func hashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt) // never fails (crypto/rand panics instead)
	key, err := argonKey(ctx, password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	return encodeHash(argonMemory, argonTime, argonThreads, salt, key), nil
}

func encodeHash(m, t uint32, p uint8, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// phc is a parsed argon2id hash.
type phc struct {
	m, t uint32
	p    uint8
	salt []byte
	key  []byte
}

var errBadHash = errors.New("not an argon2id hash this version understands")

// parseHash reads a PHC string made by encodeHash, refusing parameters
// far outside anything encodeHash writes so a damaged row cannot make
// the server allocate gigabytes.
func parseHash(s string) (phc, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return phc{}, errBadHash
	}
	var h phc
	var p uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.m, &h.t, &p); err != nil || n != 3 {
		return phc{}, errBadHash
	}
	if h.m < 8 || h.m > 1<<20 || h.t < 1 || h.t > 16 || p < 1 || p > 16 {
		return phc{}, errBadHash
	}
	h.p = uint8(p)
	b64 := base64.RawStdEncoding
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return phc{}, errBadHash
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return phc{}, errBadHash
	}
	return h, nil
}

// verifyPassword reports whether password matches the PHC string, in
// time independent of where the keys differ.
func verifyPassword(ctx context.Context, encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	key, err := argonKey(ctx, password, h.salt, h.t, h.m, h.p, uint32(len(h.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// dummyHash is a hash of a random password with the current parameters.
// Logins for unknown emails verify against it so that they take as long
// as logins for known ones.
var dummyHash = sync.OnceValue(func() string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	key := make([]byte, argonKeyLen)
	_, _ = rand.Read(key)
	return encodeHash(argonMemory, argonTime, argonThreads, salt, key)
})
