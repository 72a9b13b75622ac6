package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"selfhost/config"
	"selfhost/constructs/bucket"
	"selfhost/constructs/database"
	"selfhost/constructs/service"
)

// DataOutputs are what the services use of <env>-data, in the form the
// service construct takes (one per service).
type DataOutputs struct {
	// Database is nil without a database.
	Database *service.DatabaseAccess
	// Buckets by short name.
	Buckets map[string]service.BucketAccess
}

// For is what a service with these settings reaches: the database if it
// uses it, and the buckets it names.
func (d *DataOutputs) For(usesDatabase bool, buckets []string) (*service.DatabaseAccess, []service.BucketAccess) {
	var db *service.DatabaseAccess
	if usesDatabase {
		db = d.Database
	}
	var bs []service.BucketAccess
	for _, b := range buckets {
		bs = append(bs, d.Buckets[b])
	}
	return db, bs
}

// NewData is <env>-data: everything stateful of the application, the
// Aurora cluster (database:) and the application buckets (buckets:). It is
// its own stack, between network and service, so no service change can
// ever plan a change to them. It is always emitted: with neither a database
// nor buckets it holds no resources (a plan of it is empty), so the list of
// stacks is the same in every environment.
func NewData(scope constructs.Construct, cfg *config.Config, net *NetworkOutputs) (Stack, *DataOutputs, error) {
	st := newStack(scope, cfg, config.PartData, "")
	useS3Backend(st, cfg, config.PartData)
	out := &DataOutputs{Buckets: map[string]service.BucketAccess{}}
	if d := cfg.Database; d != nil {
		p := database.Props{
			Identifier:                cfg.ClusterIdentifier(),
			Engine:                    d.Engine,
			EngineVersion:             d.EngineVersion,
			InstanceClass:             d.InstanceClass,
			Instances:                 d.InstanceKeys(),
			AZs:                       net.DatabaseSubnetAZs,
			DatabaseName:              d.DatabaseName,
			MasterUsername:            d.MasterUsername,
			BackupRetentionDays:       d.BackupRetentionDays,
			DeletionProtection:        d.DeletionProtection,
			SkipFinalSnapshot:         d.SkipFinalSnapshot,
			KMSKeyARN:                 d.KMSKeyARN,
			MasterUserSecretKMSKeyARN: d.MasterUserSecretKMSKeyARN,
			VPCID:                     net.VPCID,
			DBSubnetGroupName:         net.DBSubnetGroupName,
		}
		if d.Serverless.MaxCapacity > 0 {
			p.Serverless = &database.Serverless{MinCapacity: d.Serverless.MinCapacity, MaxCapacity: d.Serverless.MaxCapacity}
		}
		db, err := database.New(st, "database", p)
		if err != nil {
			return nil, nil, err
		}
		out.Database = &service.DatabaseAccess{
			Endpoint: db.Endpoint, Port: db.Port, Name: d.DatabaseName,
			SecretARN: db.SecretARN, SecretKMSKeyARN: db.SecretKMSKeyARN, SecurityGroupID: db.SecurityGroupID,
		}
		output(st, "database_endpoint", db.Endpoint)
		output(st, "database_reader_endpoint", db.ReaderEndpoint)
		output(st, "database_secret_arn", db.SecretARN)
	}
	for _, b := range cfg.Buckets {
		bo, err := bucket.New(st, "bucket-"+b, bucket.Props{Name: cfg.BucketName(b), PreventDestroy: cfg.Production})
		if err != nil {
			return nil, nil, err
		}
		out.Buckets[b] = service.BucketAccess{Key: b, Name: bo.Name, ARN: bo.ARN}
		output(st, "bucket_"+b, bo.Name)
	}
	return st, out, nil
}
